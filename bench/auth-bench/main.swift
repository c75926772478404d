print("auth-bench: pending")
