import CMosquitto

/// libmosquitto's process-wide setup (`mosquitto_lib_init`: OpenSSL and randomness), done once
/// before the first client exists.
enum MQTTLibrary {
    private static let initialized: Bool = {
        mosquitto_lib_init() == MOSQ_ERR_SUCCESS.rawValue
    }()

    static func ensureInitialized() {
        precondition(initialized, "libmosquitto failed to initialise")
    }

    /// `major.minor.revision` of the linked library.
    static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, revision: Int32 = 0
        mosquitto_lib_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }
}
