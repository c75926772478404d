import Testing
@testable import ConfigRepo

/// `brokers/*.json`: the MQTT brokers status is published to (docs/config-format.md, "Broker").
@Suite struct BrokerValidationTests {
    static let box = SecretBox(secret: DeploymentSecret(bytes: Array(repeating: 7, count: 32)))

    /// The problems of the sample building plus one broker file, sealed as a write would seal it.
    func problems(_ members: [String: JSONValue], id: String = "broker-cloud") -> [String] {
        let path = "brokers/\(id).json"
        let sealed = SecretSealer(box: Self.box).seal(ConfigDocument(ref: ObjectRef(.broker, id), members: members, version: nil, path: path))
        let snapshot = SampleConfig.snapshot([path: sealed.members])
        return Validator(snapshot: snapshot).validateAll().map(\.description).filter { $0.hasPrefix("brokers/") }
    }

    @Test func aPlainBrokerIsValidAndItsSecretsAreSealed() throws {
        let members: [String: JSONValue] = ["name": "Cloud", "host": "mqtt.example.com", "port": 8883, "tls": true,
                                            "auth_type": 2, "username": "harbourpoint", "password": "s3cret",
                                            "secret": "hmac key", "filters": [#"[a-z.]+@[a-z.]+"#]]
        #expect(problems(members) == [])
        let sealed = SecretSealer(box: Self.box).seal(ConfigDocument(ref: ObjectRef(.broker, "broker-cloud"), members: members,
                                                                     version: nil, path: "brokers/broker-cloud.json"))
        for field in ["password", "secret"] {
            #expect(sealed.string(field)?.hasPrefix("enc:v1:") == true)
            #expect(try Self.box.open(sealed.string(field)!, binding: .field(objectID: "broker-cloud", path: field)) == members[field])
        }
    }

    @Test func portRangeHostAndRequiredFields() {
        #expect(problems(["name": "Cloud", "host": "mqtt://mqtt.example.com:1883", "port": 70000]) == [
            "brokers/broker-cloud.json: host: must be a host name or IP address, without scheme, path or spaces, found \"mqtt://mqtt.example.com:1883\"",
            "brokers/broker-cloud.json: port: must be from 1 to 65535, found 70000",
        ])
        #expect(problems(["description": "no name, no host"]) == [
            "brokers/broker-cloud.json: host: is required",
            "brokers/broker-cloud.json: name: is required",
        ])
    }

    @Test func filtersMustCompileAndNeedASecret() {
        #expect(problems(["name": "Cloud", "host": "mqtt.example.com", "filters": ["[a-z+@", "", #"\d{4}"#]]) == [
            "brokers/broker-cloud.json: filters[0]: is not a valid regular expression: expected ']'",
            "brokers/broker-cloud.json: filters[1]: must not be empty: an empty pattern matches between every two characters",
            "brokers/broker-cloud.json: secret: is required with filters: their matches are replaced by HMAC-SHA256(secret, match)",
        ])
    }

    @Test func eachAuthTypeNeedsItsCredentials() {
        #expect(problems(["name": "Cloud", "host": "h", "auth_type": 2]) == [
            "brokers/broker-cloud.json: username: is required with auth_type 2 (username and password)",
        ])
        #expect(problems(["name": "Cloud", "host": "h", "auth_type": 1, "username": "u", "password": "p"]) == [
            "brokers/broker-cloud.json: auth_type: 1 (no authentication) sends no username or password; remove them or use auth_type 2",
        ])
        #expect(problems(["name": "Cloud", "host": "h", "auth_type": 0]) == [
            "brokers/broker-cloud.json: auth_type: 0 (client certificate) needs tls: true",
            "brokers/broker-cloud.json: client_certificate: is required with auth_type 0 (client certificate)",
            "brokers/broker-cloud.json: client_key: is required with auth_type 0 (client certificate)",
        ])
        #expect(problems(["name": "Cloud", "host": "h", "auth_type": 7])
            == ["brokers/broker-cloud.json: auth_type: must be one of 0 (client certificate), 1 (no authentication), 2 (username and password), found number 7"])
        #expect(problems(["name": "Cloud", "host": "h", "password": "p"]) == ["brokers/broker-cloud.json: password: needs a username"])
    }

    @Test func certificatesMustBePEM() {
        let pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n"
        #expect(problems(["name": "Cloud", "host": "h", "tls": true, "certificate": .string(pem)]) == [])
        #expect(problems(["name": "Cloud", "host": "h", "tls": true, "certificate": "my CA"]) == [
            "brokers/broker-cloud.json: certificate: must be PEM text: one or more certificates, each from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----",
        ])
        #expect(problems(["name": "Cloud", "host": "h", "certificate": .string(pem)]) == [
            "brokers/broker-cloud.json: certificate: is used only with tls: true",
        ])
        #expect(problems(["name": "Cloud", "host": "h", "tls": true, "certificate": "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----"]) == [
            "brokers/broker-cloud.json: certificate: certificate 1 is not valid base64 between -----BEGIN CERTIFICATE----- and -----END CERTIFICATE-----",
        ])
    }

    @Test func plainSecretsAndDuplicateNamesAreRefused() {
        let path = "brokers/broker-a.json"
        var snapshot = SampleConfig.snapshot([path: ["name": "Cloud", "host": "h", "username": "u", "password": "plain"],
                                                "brokers/broker-b.json": ["name": "cloud", "host": "h2"]])
        let found = Validator(snapshot: snapshot).validateAll().map(\.description).filter { $0.hasPrefix("brokers/") }
        #expect(found.contains { $0.hasPrefix("brokers/broker-a.json: password: must be an encrypted value (enc:v1:…)") })
        #expect(found.contains("brokers/broker-b.json: name: \"cloud\" is already used by broker \"broker-a\""))
        snapshot = SampleConfig.snapshot(["brokers/cloud.json": ["name": "Cloud", "host": "h"]])
        #expect(Validator(snapshot: snapshot).validateAll().contains { $0.path == "brokers/cloud.json" })
    }

    @Test func theViewsDefaults() {
        let plain = BrokerView(ConfigDocument(ref: ObjectRef(.broker, "broker-a"), members: ["name": "A", "host": "h"], version: nil, path: "brokers/broker-a.json"))
        #expect(plain.port == 1883 && !plain.tls && plain.authentication == .none)
        let secure = BrokerView(ConfigDocument(ref: ObjectRef(.broker, "broker-b"), members: ["name": "B", "host": "h", "tls": true, "username": "u"],
                                               version: nil, path: "brokers/broker-b.json"))
        #expect(secure.port == 8883 && secure.authentication == .usernamePassword)
    }
}
