print("http-bench: coming with the web server")
