#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of a whole file, read-only: mapped into memory, or for a small file this
/// process has just written, a copy it already had. Released (unmapped) when the last
/// reference goes.
///
/// A mapping outlives the file's name: a pack the packer retires stays readable for a reader
/// that still holds it (and the packer does not write the file again while it is mapped).
final class FileImage: @unchecked Sendable {
    // @unchecked: the bytes are read-only and never change after init.
    let bytes: UnsafeRawBufferPointer
    private let isMapped: Bool

    /// Maps the file at `path`.
    init(path: String) throws(GitError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw GitError.system(errno, "open \(path)") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw GitError.system(errno, "stat \(path)") }
        let size = Int(status.st_size)
        isMapped = size > 0
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let address, address != MAP_FAILED else { throw GitError.system(errno, "map \(path)") }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    /// A copy of bytes just written to a file.
    init(copying source: some Collection<UInt8>) {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, source.count), alignment: 16)
        copy.copyBytes(from: source)
        bytes = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(copy)[0..<source.count])
        isMapped = false
    }

    deinit {
        guard let base = bytes.baseAddress else { return }
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        } else {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }
}
