/// Settings levels must be well formed, and values above `none` encrypted (DESIGN §3.3).
struct SettingsRules {
    func check(_ value: JSONValue, at path: String, into report: inout ProblemReport) {
        for problem in Settings.parse(value, path: path).problems {
            report.add(problem.path, problem.message)
        }
    }
}
