print("driver-bench: not written yet")
