def softmax_cross_entropy(scores, target):
    """
    Compute softmax probabilities and cross-entropy loss.
    This is EXACTLY what PyTorch's CrossEntropyLoss does internally,
    but here you can see every step!
    Steps:
    1. Find max score (for numerical stability)
    2. Compute exp(score - max) for each class
    3. Normalize to get probabilities (softmax)
    4. Loss = -log(probability of correct class)
    """
    # Step 1: Numerical stability — subtract max
    max_score = max(s.data for s in scores)
    # Step 2: Compute exponentials
    exp_scores = [(s - Value(max_score)).exp() for s in scores]
    # Step 3: Softmax — normalize to probabilities
    sum_exp = sum(exp_scores)
    probabilities = [e / sum_exp for e in exp_scores]
    # Step 4: Cross-entropy loss
    # -log(P(correct class))
    loss = -(probabilities[target].log())
    return loss, probabilities

# Example: verify it works
dummy_scores = [Value(2.0), Value(1.0), Value(0.1)] # Raw scores for 3 classes
loss, probs = softmax_cross_entropy(dummy_scores, target=0) # Target = class 0
print("=== Softmax + Cross-Entropy Demo ===")
print(f"Raw scores: [{', '.join(f'{s.data:.1f}' for s in dummy_scores)}]")
print(f"Probabilities: [{', '.join(f'{p.data:.3f}' for p in probs)}]")
print(f"Sum of probs: {sum(p.data for p in probs):.3f} (should be 1.0)")
print(f"Loss (target=class 0): {loss.data:.4f}")
print(f"(Lower loss = higher confidence in correct class)")

# PyTorch does this in ONE line:
criterion = nn.CrossEntropyLoss()
# That single line contains all the softmax + cross-entropy math!
# Convenient, but you don't see the internals.
# Demo:
dummy_scores = torch.tensor([[2.0, 1.0, 0.1]])
dummy_target = torch.tensor([0])
loss = criterion(dummy_scores, dummy_target)
probs = torch.softmax(dummy_scores, dim=1)
print(f"Raw scores: {dummy_scores.numpy()}")
print(f"Probabilities: {probs.numpy()}")
print(f"Loss: {loss.item():.4f}")
