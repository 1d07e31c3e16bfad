# ═══════════════════════════════════════════════
# NEUROGEBRA TRAINING — See every gradient flow!
# ═══════════════════════════════════════════════
learning_rate = 0.05
epochs = 30
batch_size = 16
neuro_history = {"loss": [], "accuracy": []}
print("Training Neurogebra Neural Network...")
print("=" * 50)
for epoch in range(epochs):
    # Shuffle training data
    perm = np.random.permutation(len(X_train))
    epoch_loss = 0.0
    correct = 0
    total = 0
    # Mini-batch training
    for start in range(0, len(X_train), batch_size):
        batch_idx = perm[start:start + batch_size]
        batch_loss = Value(0.0)
        for idx in batch_idx:
            # Convert input to Value objects
            x_input = [Value(float(X_train[idx, 0])),
                       Value(float(X_train[idx, 1]))]
            target = int(y_train[idx])
            # Forward pass — compute scores
            scores = nn_neuro(x_input)
            # Compute loss
            loss, probs = softmax_cross_entropy(scores, target)
            batch_loss = batch_loss + loss
            # Track accuracy
            predicted = max(range(3), key=lambda i: scores[i].data)
            correct += (predicted == target)
            total += 1
        # Average batch loss
        batch_loss = batch_loss / len(batch_idx)
        # ==============================
        # BACKWARD PASS — The Magic Part
        # ==============================
        # 1. Zero all gradients
        for p in nn_neuro.parameters():
            p.grad = 0.0
        # 2. Backpropagate — compute dLoss/dParam for every parameter
        batch_loss.backward()
        # 3. Update every parameter: param = param - lr * gradient
        for p in nn_neuro.parameters():
            p.data -= learning_rate * p.grad
        epoch_loss += batch_loss.data
    accuracy = correct / total
    neuro_history["loss"].append(epoch_loss)
    neuro_history["accuracy"].append(accuracy)
    if epoch % 5 == 0 or epoch == epochs - 1:
        print(f" Epoch {epoch:>3d}/{epochs}: Loss = {epoch_loss:.4f}, Accuracy = {accuracy:.1%}")
print(f"\nFinal Training Accuracy: {neuro_history['accuracy'][-1]:.1%}")

# ═══════════════════════════════════════════════
# PYTORCH TRAINING — Fast and optimized
# ═══════════════════════════════════════════════
X_train_t = torch.tensor(X_train, dtype=torch.float32)
y_train_t = torch.tensor(y_train, dtype=torch.long)
optimizer = optim.Adam(nn_torch.parameters(), lr=0.01)
criterion = nn.CrossEntropyLoss()
torch_history = {"loss": [], "accuracy": []}
print("Training PyTorch Neural Network...")
print("=" * 50)
for epoch in range(epochs):
    perm = torch.randperm(len(X_train_t))
    epoch_loss = 0.0
    correct = 0
    total = 0
    for start in range(0, len(X_train_t), batch_size):
        X_batch = X_train_t[perm[start:start + batch_size]]
        y_batch = y_train_t[perm[start:start + batch_size]]
        # Forward pass
        outputs = nn_torch(X_batch)
        loss = criterion(outputs, y_batch)
        # Backward pass
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item()
        _, predicted = torch.max(outputs, 1)
        correct += (predicted == y_batch).sum().item()
        total += y_batch.size(0)
    accuracy = correct / total
    torch_history["loss"].append(epoch_loss)
    torch_history["accuracy"].append(accuracy)
    if epoch % 5 == 0 or epoch == epochs - 1:
        print(f" Epoch {epoch:>3d}/{epochs}: Loss = {epoch_loss:.4f}, Accuracy = {accuracy:.1%}")
print(f"\nFinal Training Accuracy: {torch_history['accuracy'][-1]:.1%}")
