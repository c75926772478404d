import Dispatch

/// The queue every socket's dispatch sources fire on; handlers only read and post events.
enum DriverIO {
    static let queue = DispatchQueue(label: "driverkit.io")
}
