import ConfigRepo
import Foundation
import Runtime

/// A driver script written from docs/driver-protocol.md that answers `--metadata` with `name`
/// (or with `metadata` verbatim).
func pythonDriverScript(name: String, metadata: String? = nil) -> String {
    let json = metadata ?? "{\"name\": \"\(name)\", \"module_name\": \"Echo\", \"role\": 99, \"functions\": {}}"
    return """
        #!/usr/bin/env python3
        import sys
        if "--metadata" in sys.argv:
            print('\(json)')
            sys.exit(0)
        print('{"type": "ready", "protocol": 1, "metadata": \(json)}', flush=True)
        for line in sys.stdin:
            pass

        """
}
