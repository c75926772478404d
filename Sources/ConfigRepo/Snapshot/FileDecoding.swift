import Dispatch

/// What one file of a commit holds, parsed: the work of a snapshot load that needs nothing
/// but the file, so it runs on every core.
enum FileDecoding: Sendable {
    case deployment(Result<DeploymentFile, DocumentDecodingError>)
    case object(ObjectRef, Result<ConfigDocument, DocumentDecodingError>)
    case map(name: String)
    case invalid(reason: String)
    case ignored

    /// Classifies and parses one file; a file over its size limit (``FileLimits``) is a
    /// problem and is never parsed.
    static func decode(_ file: RepoFile) -> FileDecoding {
        if let problem = FileLimits.problem(path: file.path, size: file.bytes.count) { return .invalid(reason: problem.message) }
        switch RepoPath(file.path) {
        case .deployment:
            return .deployment(Result { () throws(DocumentDecodingError) in try DeploymentFile.decode(file.bytes, version: file.blob) })
        case .object(let ref):
            return .object(ref, Result { () throws(DocumentDecodingError) in
                try ConfigDocument.decode(file.bytes, ref: ref, version: file.blob, path: file.path)
            })
        case .map(let name): return .map(name: name)
        case .invalid(let reason): return .invalid(reason: reason)
        case .ignored: return .ignored
        }
    }

    /// Every file decoded, in the same order; in chunks across the cores when there are many.
    static func decode(_ files: [RepoFile]) -> [FileDecoding] {
        let chunkSize = 512
        guard files.count > 2 * chunkSize else { return files.map(decode) }
        let results = DecodedFiles(count: files.count)
        DispatchQueue.concurrentPerform(iterations: (files.count + chunkSize - 1) / chunkSize) { chunk in
            for index in (chunk * chunkSize)..<min(files.count, (chunk + 1) * chunkSize) {
                results.store(decode(files[index]), at: index)
            }
        }
        return results.collect()
    }
}

/// The results of a parallel decode: each slot written by exactly one task, read after all
/// of them ended.
private final class DecodedFiles: @unchecked Sendable {
    // @unchecked: each index is written once by one task of `concurrentPerform`, and read
    // only after `concurrentPerform` returned.
    private let slots: UnsafeMutableBufferPointer<FileDecoding>
    private let count: Int

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
    }

    func store(_ value: FileDecoding, at index: Int) {
        (slots.baseAddress! + index).initialize(to: value)
    }

    func collect() -> [FileDecoding] {
        Array(slots)
    }

    deinit {
        slots.baseAddress!.deinitialize(count: count)
        slots.deallocate()
    }
}
