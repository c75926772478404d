/// Every fuzz check, for the corpus replay in `swift test`. A target under `fuzz/Targets`
/// whose check is missing here fails FuzzCorpusTests.
public enum AllChecks {
    public static var list: [any FuzzCheck.Type] {
        var checks: [any FuzzCheck.Type] = [
            JSONRoundTripCheck.self, ValidationGateCheck.self, MapSanitizerCheck.self, TemplateParserCheck.self,
            CronExpressionCheck.self, DriverLineFramerCheck.self, JWTDecoderCheck.self, SAMLResponseCheck.self, IDTokenCheck.self,
        ]
        #if DEBUG || FUZZING
        checks += [HTTPRequestParserCheck.self, WebSocketParserCheck.self, URLEncodedFormCheck.self]
        #endif
        return checks
    }

    /// Their names, in the same order.
    public static var names: [String] { list.map { $0.name } }
}
