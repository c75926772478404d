import DriverKit
import Testing
@testable import DriverKitMQTT

@Suite struct JSONPathTests {
    let reading: JSON = ["co2": 612, "readings": [["value": 1], ["value": 2]], "odd key.": "yes"]

    @Test func stepsByNameIndexAndQuotedName() throws {
        #expect(try JSONPath("$.co2").value(in: reading) == 612)
        #expect(try JSONPath("co2").value(in: reading) == 612)
        #expect(try JSONPath("$.readings[1].value").value(in: reading) == 2)
        #expect(try JSONPath("$['odd key.']").value(in: reading) == "yes")
        #expect(try JSONPath("$").value(in: reading) == reading)
        #expect(try JSONPath("$").isRoot)
        #expect(try JSONPath("$.missing").value(in: reading) == nil)
        #expect(try JSONPath("$.readings[5]").value(in: reading) == nil)
        #expect(try JSONPath("$.co2.deeper").value(in: reading) == nil)
    }

    @Test func badPathsSayWhereTheyBreak() {
        #expect(throws: DriverError.failed("path \"$.\": a name must follow \".\" at character 3")) { try JSONPath("$.") }
        #expect(throws: DriverError.failed("path \"$[x]\": expected an index or a quoted name after \"[\" at character 3")) { try JSONPath("$[x]") }
        #expect(throws: DriverError.failed("path \"$['a]\": the quoted name is not closed at character 4")) { try JSONPath("$['a]") }
        #expect(throws: DriverError.failed("path \"$[0\": expected \"]\" at character 4")) { try JSONPath("$[0") }
    }

    @Test func endpointsFromURIs() throws {
        #expect(try MQTTEndpoint(uri: "mqtt://127.0.0.1:18830") == MQTTEndpoint(host: "127.0.0.1", port: 18830, tls: false))
        #expect(try MQTTEndpoint(uri: "mqtts://broker.example.com") == MQTTEndpoint(host: "broker.example.com", port: 8883, tls: true))
        #expect(try MQTTEndpoint(uri: "mqtt://[::1]:1884/ignored") == MQTTEndpoint(host: "::1", port: 1884, tls: false))
        #expect(throws: DriverError.self) { try MQTTEndpoint(uri: "http://broker:1883") }
        #expect(throws: DriverError.self) { try MQTTEndpoint(uri: "mqtt://broker:99999") }
        #expect(throws: DriverError.self) { try MQTTEndpoint(uri: "mqtt://:1883") }
    }
}
