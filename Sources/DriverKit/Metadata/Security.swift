/// Who may call a function (`null` in the metadata: anyone who may use the system).
public enum Security: String, Sendable {
    case support
    case administrator
}
