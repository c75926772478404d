import CGit2
import Foundation

extension GitRepository {
    /// Brings the working tree and index from `baseline` to `target` for `paths` only, with
    /// libgit2's SAFE strategy: a file whose working copy differs from `baseline` (an
    /// engineer's uncommitted edit) is left alone, and files outside `paths` are never looked
    /// at.
    func checkout(target: ObjectID, baseline: ObjectID?, paths: [String]) throws(GitError) {
        guard !paths.isEmpty, workingDirectory != nil else { return }
        var targetID = target.oid
        var targetTree: OpaquePointer?
        try GitError.check(git_tree_lookup(&targetTree, pointer, &targetID), "look up target tree")
        defer { git_tree_free(targetTree) }
        var baselineTree: OpaquePointer?
        if var baseline = baseline?.oid {
            try GitError.check(git_tree_lookup(&baselineTree, pointer, &baseline), "look up baseline tree")
        }
        defer { git_tree_free(baselineTree) }

        var options = git_checkout_options()
        try GitError.check(git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)), "checkout options")
        options.checkout_strategy = GIT_CHECKOUT_SAFE.rawValue
            | GIT_CHECKOUT_ALLOW_CONFLICTS.rawValue
            | GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH.rawValue
        options.baseline = baselineTree

        var cPaths: [UnsafeMutablePointer<CChar>?] = paths.map { strdup($0) }
        defer { for path in cPaths { free(path) } }
        let code = cPaths.withUnsafeMutableBufferPointer { buffer -> Int32 in
            options.paths = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return git_checkout_tree(pointer, targetTree, &options)
        }
        try GitError.check(code, "checkout \(paths.count) path(s)")
    }

    /// Checks out a whole tree into an empty working directory (used once, by `create`).
    func checkoutInitial(tree: ObjectID) throws(GitError) {
        var treeID = tree.oid
        var treeObject: OpaquePointer?
        try GitError.check(git_tree_lookup(&treeObject, pointer, &treeID), "look up tree")
        defer { git_tree_free(treeObject) }
        var options = git_checkout_options()
        try GitError.check(git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)), "checkout options")
        options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue
        try GitError.check(git_checkout_tree(pointer, treeObject, &options), "initial checkout")
    }
}
