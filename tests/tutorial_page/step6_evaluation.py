# Neurogebra test evaluation
neuro_correct = 0
neuro_predictions = []
for i in range(len(X_test)):
    x_input = [Value(float(X_test[i, 0])), Value(float(X_test[i, 1]))]
    scores = nn_neuro(x_input)
    predicted = max(range(3), key=lambda j: scores[j].data)
    neuro_predictions.append(predicted)
    neuro_correct += (predicted == y_test[i])
neuro_test_acc = neuro_correct / len(X_test)
print(f"Neurogebra Test Accuracy: {neuro_test_acc:.1%}")

# PyTorch test evaluation
X_test_t = torch.tensor(X_test, dtype=torch.float32)
y_test_t = torch.tensor(y_test, dtype=torch.long)
with torch.no_grad():
    outputs = nn_torch(X_test_t)
    _, torch_predictions = torch.max(outputs, 1)
    torch_test_acc = (torch_predictions == y_test_t).float().mean().item()
torch_predictions = torch_predictions.numpy()
print(f"PyTorch Test Accuracy: {torch_test_acc:.1%}")
