print("config-bench: coming with the store")
