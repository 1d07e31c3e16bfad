def plot_decision_boundary(predict_fn, X, y, title, ax):
    """Plot the decision boundary of a classifier."""
    h = 0.02 # Step size
    x_min, x_max = X[:, 0].min() - 0.5, X[:, 0].max() + 0.5
    y_min, y_max = X[:, 1].min() - 0.5, X[:, 1].max() + 0.5
    xx, yy = np.meshgrid(
        np.arange(x_min, x_max, h),
        np.arange(y_min, y_max, h)
    )
    # Predict on grid
    grid_points = np.c_[xx.ravel(), yy.ravel()]
    Z = np.array([predict_fn(p) for p in grid_points])
    Z = Z.reshape(xx.shape)
    # Plot
    ax.contourf(xx, yy, Z, alpha=0.3, cmap='RdYlBu')
    colors = ['#FF6B6B', '#4ECDC4', '#45B7D1']
    for i in range(3):
        mask = y == i
        ax.scatter(X[mask, 0], X[mask, 1], c=colors[i],
                   label=f'Class {i}', edgecolors='k', linewidth=0.5, s=30)
    ax.set_title(title, fontsize=13, fontweight='bold')
    ax.legend(loc='upper right')
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")

# Prediction functions
def neuro_predict(point):
    x = [Value(float(point[0])), Value(float(point[1]))]
    scores = nn_neuro(x)
    return max(range(3), key=lambda i: scores[i].data)

def torch_predict(point):
    x = torch.tensor(point, dtype=torch.float32).unsqueeze(0)
    with torch.no_grad():
        scores = nn_torch(x)
    return torch.argmax(scores).item()

# Plot both decision boundaries
fig, axes = plt.subplots(1, 2, figsize=(16, 7))
plot_decision_boundary(neuro_predict, X_test, y_test,
                       f"Neurogebra (Acc: {neuro_test_acc:.0%})", axes[0])
plot_decision_boundary(torch_predict, X_test, y_test,
                       f"PyTorch (Acc: {torch_test_acc:.0%})", axes[1])
plt.suptitle("Decision Boundaries — Neural Network Learned to Separate Spirals!",
             fontsize=15, fontweight='bold')
plt.tight_layout()
plt.show()
