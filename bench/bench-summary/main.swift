// bench-summary: the last step of `make bench`. Reads every bench/results/<bench>.json that the
// benchmarks wrote through `BenchReport` and prints one table of all their figures, with the
// peer and the ratio (ours ÷ the peer's, above 1 is better for us) where a figure was measured
// beside one, then the machine's state during each benchmark.
//   bench-summary [BENCH…]   (default: every file in bench/results, by name)
import ConfigRepo
import Foundation

struct Line {
    var bench: String
    var measure: String
    var value: String
    var peer: String
    var ratio: String
    var target: String
}

let directory = "bench/results"
let requested = Array(CommandLine.arguments.dropFirst())
let names = requested.isEmpty
    ? ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    : requested

var lines: [Line] = []
var machine: [(String, String)] = []
var missing: [String] = []
for name in names {
    guard let bytes = FileManager.default.contents(atPath: "\(directory)/\(name).json"),
          let json = try? JSONParser.parse(Array(bytes)) else {
        missing.append(name)
        continue
    }
    // Files written before BenchReport recorded the machine are a bare array of rows; a script's
    // flat object of figures (newcomer-journey.py) gives a row per figure.
    let flat: [JSONValue] = (json["rows"] == nil ? json.objectValue ?? [:] : [:]).sorted { $0.key < $1.key }.compactMap { key, value in
        switch value {
        case .number(let text): .object(["measure": .string(key), "value": .string(text)])
        case .string(let text): .object(["measure": .string(key), "value": .string(text)])
        case .bool(let flag): .object(["measure": .string(key), "value": .string(flag ? "true" : "false")])
        default: nil
        }
    }
    let rows = json["rows"]?.arrayValue ?? json.arrayValue ?? flat
    if rows.isEmpty { missing.append(name) }
    for row in rows {
        let ratio = row["ratio"]?.doubleValue.map { String(format: "%.2f×", $0) } ?? ""
        lines.append(Line(bench: name, measure: row["measure"]?.stringValue ?? "", value: row["value"]?.stringValue ?? "",
                          peer: row["peer"]?.stringValue ?? "", ratio: ratio, target: row["target"]?.stringValue ?? ""))
    }
    if let state = json["machine"] {
        let cores = state["cores"]?.intValue.map(String.init) ?? "?"
        let seconds = state["seconds"]?.doubleValue.map { String(format: "%.0f s", $0) } ?? "?"
        machine.append((name, "\(state["started"]?.stringValue ?? "?"), \(seconds), \(cores) cores, load average "
                        + "\(state["load_before"]?.stringValue ?? "?") before, \(state["load_after"]?.stringValue ?? "?") after"))
    } else {
        machine.append((name, "machine state not recorded"))
    }
}

let header = Line(bench: "bench", measure: "measure", value: "value", peer: "peer", ratio: "ratio", target: "target")
let columns: [KeyPath<Line, String>] = [\.bench, \.measure, \.value, \.peer, \.ratio, \.target]
let widths = columns.map { column in ([header] + lines).map { $0[keyPath: column].count }.max()! + 2 }
func render(_ line: Line, columns: [KeyPath<Line, String>], widths: [Int]) -> String {
    var text = zip(columns, widths).map { column, width in
        line[keyPath: column].padding(toLength: max(width, line[keyPath: column].count), withPad: " ", startingAt: 0)
    }.joined()
    while text.last == " " { text.removeLast() }  // trailing only: a blank bench column keeps its width
    return text
}
print("")
print("make bench: every figure (bench/results/*.json); ratio = ours ÷ the peer's in the same run, above 1 is better for us")
print(render(header, columns: columns, widths: widths))
print(String(repeating: "-", count: min(widths.reduce(0, +), 200)))
var previous = ""
for line in lines {
    var shown = line
    if line.bench == previous { shown.bench = "" }
    previous = line.bench
    print(render(shown, columns: columns, widths: widths))
}
print("")
print("machine state per benchmark (the figures are comparable only within one run):")
let nameWidth = (machine.map(\.0.count).max() ?? 0) + 2
for (name, state) in machine { print("  " + name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + state) }
if !missing.isEmpty { print("no results from: \(missing.joined(separator: ", "))") }
