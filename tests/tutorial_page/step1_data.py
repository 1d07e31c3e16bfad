import numpy as np
import matplotlib.pyplot as plt

def generate_spirals(n_points=100, n_classes=3, noise=0.1):
    """Generate spiral dataset — a classic non-linear classification problem."""
    X = np.zeros((n_points * n_classes, 2))
    y = np.zeros(n_points * n_classes, dtype=int)
    for class_idx in range(n_classes):
        start = n_points * class_idx
        end = n_points * (class_idx + 1)
        r = np.linspace(0.0, 1.0, n_points)
        theta = np.linspace(
            class_idx * 4, (class_idx + 1) * 4, n_points
        ) + np.random.randn(n_points) * noise
        X[start:end, 0] = r * np.sin(theta)
        X[start:end, 1] = r * np.cos(theta)
        y[start:end] = class_idx
    return X, y

# Generate data
np.random.seed(42)
X, y = generate_spirals(n_points=100, n_classes=3, noise=0.15)

# Train/test split
indices = np.random.permutation(len(X))
split = int(0.8 * len(X))
X_train, X_test = X[indices[:split]], X[indices[split:]]
y_train, y_test = y[indices[:split]], y[indices[split:]]

# Visualize
plt.figure(figsize=(8, 8))
colors = ['#FF6B6B', '#4ECDC4', '#45B7D1']
for i in range(3):
    mask = y_train == i
    plt.scatter(X_train[mask, 0], X_train[mask, 1],
                c=colors[i], label=f'Class {i}', alpha=0.7, s=30)
plt.title("Spiral Dataset — Can Your Neural Network Solve This?", fontsize=14)
plt.xlabel("x₁")
plt.ylabel("x₂")
plt.legend()
plt.grid(True, alpha=0.3)
plt.axis('equal')
plt.show()

print(f"Training: {len(X_train)} samples")
print(f"Testing: {len(X_test)} samples")
print(f"Classes: 3 spirals")
print(f"Features: 2 (x, y coordinates)")
