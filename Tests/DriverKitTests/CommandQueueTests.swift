import Testing
@testable import DriverKit

/// A queue wired to a fake device: records what was written; `answer` feeds a frame back.
@DriverActor
final class FakeDevice {
    let queue = CommandQueue()
    var written: [String] = []
    var outcomes: [String: Result<JSON, DriverError>] = [:]
    /// What the device's frames mean: "ok" succeeds with the command's text, "err" fails, "again" retries.
    init(online: Bool = true) {
        queue.transmit = { [unowned self] bytes in written.append(String(decoding: bytes, as: UTF8.self)) }
        queue.judge = { frame, command in
            guard let command else { return .ignore }
            switch String(decoding: frame, as: UTF8.self) {
            case "ok": return .success(.string(String(decoding: command.payload, as: UTF8.self)))
            case "err": return .failure("refused")
            case "again": return .retry
            default: return .ignore
            }
        }
        queue.setOnline(online)
    }

    func send(_ text: String, _ options: CommandOptions = CommandOptions()) {
        queue.enqueue(Array(text.utf8), options: options) { [unowned self] in outcomes[text] = $0 }
    }

    func answer(_ frame: String) { queue.received(Array(frame.utf8)) }
}

@Suite struct CommandQueueTests {
    @Test @DriverActor func higherPriorityGoesFirstAndEqualPrioritiesKeepTheirOrder() {
        let device = FakeDevice()
        device.send("busy")
        device.send("low", CommandOptions(priority: 10))
        device.send("mid-1")
        device.send("high", CommandOptions(priority: 90))
        device.send("mid-2")
        for _ in 0..<5 { device.answer("ok") }
        #expect(device.written == ["busy", "high", "mid-1", "mid-2", "low"])
        #expect(device.outcomes["low"] == .success("low"))
    }

    @Test @DriverActor func oneCommandAtATimeUntilItsResponseArrives() {
        let device = FakeDevice()
        device.send("a")
        device.send("b")
        #expect(device.written == ["a"])
        device.answer("unsolicited")
        #expect(device.written == ["a"])
        device.answer("ok")
        #expect(device.written == ["a", "b"])
    }

    @Test @DriverActor func namedCommandReplacesTheQueuedOneAndBothCallersGetTheOutcome() {
        let device = FakeDevice()
        device.send("busy")
        device.send("power 1", CommandOptions(name: "power"))
        device.send("input 2", CommandOptions(name: "input"))
        device.send("power 0", CommandOptions(name: "power"))
        device.answer("ok")
        device.answer("ok")
        device.answer("ok")
        #expect(device.written == ["busy", "input 2", "power 0"])
        #expect(device.outcomes["power 1"] == .success("power 0"))
        #expect(device.outcomes["power 0"] == .success("power 0"))
    }

    @Test @DriverActor func deviceErrorsFailTheCaller() {
        let device = FakeDevice()
        device.send("x")
        device.answer("err")
        #expect(device.outcomes["x"] == .failure(DriverError(.failed, "refused")))
    }

    @Test @DriverActor func retryVerdictResendsUntilRetriesRunOut() {
        let device = FakeDevice()
        device.send("x", CommandOptions(retries: 2))
        device.answer("again")
        device.answer("again")
        #expect(device.written == ["x", "x", "x"])
        device.answer("again")
        #expect(device.outcomes["x"]?.failureCode == .failed)
    }

    @Test @DriverActor func timeoutRetriesThenFailsWithTimeout() async throws {
        let device = FakeDevice()
        var failure: DriverError?
        do {
            _ = try await device.queue.send(Array("slow".utf8), options: CommandOptions(timeout: .milliseconds(20), retries: 2))
        } catch {
            failure = error as? DriverError
        }
        #expect(device.written == ["slow", "slow", "slow"])
        #expect(failure?.code == .timeout)
    }

    /// One timer serves the queue's timeouts: a command answered in time leaves it armed for its
    /// own (long) deadline, and the next command's short timeout still ends that command at once.
    /// (Without re-arming, the second command would wait the first one's ten minutes.)
    @Test(.timeLimit(.minutes(1))) @DriverActor func eachCommandTimesOutAtItsOwnDeadline() async throws {
        let device = FakeDevice()
        device.send("patient", CommandOptions(timeout: .seconds(600)))
        device.answer("ok")
        #expect(device.outcomes["patient"] == .success("patient"))
        var failure: DriverError?
        do {
            _ = try await device.queue.send(Array("slow".utf8), options: CommandOptions(timeout: .milliseconds(20), retries: 0))
        } catch {
            failure = error as? DriverError
        }
        #expect(failure?.code == .timeout)
        // And again, now that the timer has woken once and gone back to sleep.
        failure = nil
        do {
            _ = try await device.queue.send(Array("slower".utf8), options: CommandOptions(timeout: .milliseconds(20), retries: 0))
        } catch {
            failure = error as? DriverError
        }
        #expect(failure?.code == .timeout)
        #expect(device.written == ["patient", "slow", "slower"])
    }

    @Test @DriverActor func fireAndForgetCompletesWhenWritten() {
        let device = FakeDevice()
        device.send("a", CommandOptions(waitForResponse: false))
        device.send("b", CommandOptions(waitForResponse: false))
        #expect(device.written == ["a", "b"])
        #expect(device.outcomes["a"] == .success(.null))
    }

    @Test @DriverActor func delayHoldsTheNextCommandBack() async throws {
        let device = FakeDevice()
        device.send("a", CommandOptions(delay: .milliseconds(30)))
        device.send("b")
        device.answer("ok")
        #expect(device.written == ["a"])
        while device.written.count < 2 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(device.written == ["a", "b"])
    }

    @Test @DriverActor func goingOfflineAbortsUnnamedAndKeepsNamedForTheReconnect() {
        let device = FakeDevice()
        device.send("unnamed-current")
        device.send("unnamed-queued")
        device.send("power 1", CommandOptions(name: "power"))
        device.queue.setOnline(false)
        #expect(device.outcomes["unnamed-current"]?.failureCode == .offline)
        #expect(device.outcomes["unnamed-queued"]?.failureCode == .offline)
        #expect(device.outcomes["power 1"] == nil)
        device.send("while-offline")
        #expect(device.outcomes["while-offline"]?.failureCode == .offline)
        device.send("input 3", CommandOptions(name: "input"))
        device.queue.setOnline(true)
        device.answer("ok")
        device.answer("ok")
        #expect(device.written == ["unnamed-current", "power 1", "input 3"])
        #expect(device.outcomes["power 1"] == .success("power 1"))
    }

    @Test @DriverActor func namedCommandInFlightIsResentAfterReconnect() {
        let device = FakeDevice()
        device.send("power 1", CommandOptions(name: "power"))
        device.queue.setOnline(false)
        device.queue.setOnline(true)
        device.answer("ok")
        #expect(device.written == ["power 1", "power 1"])
        #expect(device.outcomes["power 1"] == .success("power 1"))
    }

    @Test @DriverActor func abortAllFailsEverything() {
        let device = FakeDevice()
        device.send("a")
        device.send("b", CommandOptions(name: "b"))
        device.queue.abortAll(DriverError(.offline, "stopped"))
        #expect(device.outcomes["a"]?.failureCode == .offline)
        #expect(device.outcomes["b"]?.failureCode == .offline)
        #expect(device.queue.isIdle)
    }
}

extension Result where Failure == DriverError {
    var failureCode: DriverError.Code? {
        if case .failure(let error) = self { return error.code }
        return nil
    }
}

