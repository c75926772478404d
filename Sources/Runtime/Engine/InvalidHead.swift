import ConfigRepo

/// A head commit the runtime refused because the tree does not validate (DESIGN §3.5); the
/// runtime keeps running the last good commit and the site shows this in a banner.
public struct InvalidHead: Sendable, Hashable {
    public var commit: ObjectID
    public var author: Signature?
    public var problems: [ValidationProblem]
}
