from neurogebra import MathForge

forge = MathForge()
print("=" * 60)
print("INSPECTING WHAT THE NETWORK LEARNED")
print("=" * 60)

# 1. Layer-by-layer parameter statistics
for i, layer in enumerate(nn_neuro.layers):
    weights = [p.data for neuron in layer.neurons for p in neuron.w]
    biases = [neuron.b.data for neuron in layer.neurons]
    print(f"\nLayer {i+1}:")
    print(f" Neurons: {len(layer.neurons)}")
    print(f" Weights: mean={np.mean(weights):.4f}, std={np.std(weights):.4f}")
    print(f" Weight range: [{min(weights):.4f}, {max(weights):.4f}]")
    print(f" Biases: mean={np.mean(biases):.4f}, std={np.std(biases):.4f}")

# 2. Understanding with MathForge
print("\n" + "=" * 60)
print("THE MATH BEHIND YOUR NETWORK")
print("=" * 60)
relu = forge.get("relu")
print(f"\nReLU activation: {relu.symbolic_expr}")
print(f"ReLU gradient: {relu.gradient('x').symbolic_expr}")
print(f"ReLU at x=2: {relu.eval(x=2.0)}")
print(f"ReLU at x=-2: {relu.eval(x=-2.0)}")
print(f"ReLU grad at x=2: {relu.gradient('x').eval(x=2.0)}")
print(f"ReLU grad at x=-2: {relu.gradient('x').eval(x=-2.0)}")
print(f"\nEach neuron computes:")
print(f" output = ReLU(w₁·x₁ + w₂·x₂ + b)")
print(f" = ReLU(weighted_sum + bias)")
print(f" = max(0, weighted_sum + bias)")
print(f"\nThe final layer computes 3 scores (one per class).")
print(f"Softmax converts scores to probabilities.")
print(f"We predict the class with highest probability.")

# See what each neuron in the first layer "looks at"
fig, axes = plt.subplots(2, 4, figsize=(16, 8))
h = 0.05
x_range = np.arange(-1.5, 1.5, h)
y_range = np.arange(-1.5, 1.5, h)
xx, yy = np.meshgrid(x_range, y_range)
for idx, ax in enumerate(axes.flat[:min(8, len(nn_neuro.layers[0].neurons))]):
    neuron = nn_neuro.layers[0].neurons[idx]
    # Compute activation for each point
    Z = np.zeros_like(xx)
    for i in range(len(x_range)):
        for j in range(len(y_range)):
            x_val = Value(float(xx[j, i]))
            y_val = Value(float(yy[j, i]))
            result = neuron([x_val, y_val])
            Z[j, i] = result.data
    im = ax.contourf(xx, yy, Z, levels=20, cmap='viridis')
    ax.set_title(f"Neuron {idx+1}")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
plt.suptitle("What Each Neuron in Layer 1 Responds To", fontsize=14, fontweight='bold')
plt.tight_layout()
plt.show()
