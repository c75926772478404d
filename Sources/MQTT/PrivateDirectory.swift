import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A new directory only this user can enter (`mkdtemp`, mode 0700) under the temporary directory.
enum PrivateDirectory {
    static func create(prefix: String) throws(MQTTError) -> String {
        var template = Array((NSTemporaryDirectory() + "/\(prefix)-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let path = mkdtemp(buffer.baseAddress!) else { return nil }
            return String(cString: path)
        }
        guard let created else {
            throw MQTTError("cannot create a directory in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))")
        }
        return created
    }
}
