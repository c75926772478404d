import ConfigRepo
import Synchronization

/// The branches page's reviews, kept by the branch's head and the tracked branch's head: a
/// review merges the two and validates the result, which takes a while on a large
/// configuration, and nothing in it changes until one of the two heads moves. Reviews of heads
/// no longer current are dropped at the next look-up.
final class BranchReviewCache: Sendable {
    private struct Key: Hashable {
        var branch: String
        var head: ObjectID
        var tracked: ObjectID?
    }

    private let reviews = Mutex<[Key: BranchReview]>([:])

    /// The reviews of `branches` against the tracked branch at `tracked`, made where not kept.
    func reviews(of branches: [ConfigBranch], tracked: ObjectID?,
                 make: (ConfigBranch) throws(StoreError) -> BranchReview) throws(StoreError) -> [BranchReview] {
        let keys = branches.map { Key(branch: $0.reference, head: $0.head, tracked: tracked) }
        let kept = reviews.withLock { reviews in
            reviews = reviews.filter { keys.contains($0.key) }
            return reviews
        }
        var result: [BranchReview] = []
        for (branch, key) in zip(branches, keys) {
            if let review = kept[key] {
                result.append(review)
                continue
            }
            let review = try make(branch)
            reviews.withLock { $0[key] = review }
            result.append(review)
        }
        return result
    }
}
