import ConfigRepo
import Foundation
import Testing
@testable import Runtime

/// What the webhook action sends: the state, and its signature.
@Suite struct OutgoingWebhookTests {
    @Test func theSignatureIsHexHMACSHA256OfTheBodyUnderTheSecretsText() {
        let body = Array("The quick brown fox jumps over the lazy dog".utf8)
        #expect(OutgoingWebhookSender.signature(of: body, secret: "key")
                == "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
    }

    @Test func eachTriggerHasItsOwnStableSigningSecret() {
        let box = SampleSecrets.box
        let one = OutgoingWebhookSender.signingSecret(box: box, trigger: "trigger-a")
        #expect(one.count == 43)
        #expect(one == OutgoingWebhookSender.signingSecret(box: box, trigger: "trigger-a"))
        #expect(one != OutgoingWebhookSender.signingSecret(box: box, trigger: "trigger-b"))
        #expect(one != TriggerInstanceSpec.derivedSecret(box: box, instance: "trigger-a"))
    }

    @Test func theBodyIsTheInstanceStateWithNamesAndTime() throws {
        let fired = Date(timeIntervalSince1970: 1_750_000_000)
        let state = TriggerInstanceState(instanceID: "trig-1", triggerID: "trigger-a", systemID: "sys-1", enabled: true,
                                         execEnabled: false, important: false, triggerName: "A", systemName: "Room 1",
                                         triggered: true, triggerCount: 3, actionErrors: 0, comparisonErrors: 1,
                                         conditions: ["comparison_0": true], lastFired: fired, lastError: nil, problems: [])
        let firing = TriggerFiring(instanceID: "trig-1", triggerID: "trigger-a", triggerName: "A", systemID: "sys-1",
                                   systemName: "Room 1", firedAt: fired, manual: true, state: state)
        let json = try JSONParser.parse(OutgoingWebhookSender.body(firing))
        #expect(json["trigger_count"] == 3 && json["triggered"] == true && json["conditions"] == ["comparison_0": true])
        #expect(json["system_name"] == "Room 1" && json["trigger_name"] == "A" && json["manual"] == true)
        #expect(json["fired_at"] == "2025-06-15T15:06:40.000Z")
    }
}
