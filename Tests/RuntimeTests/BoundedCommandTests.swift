import Foundation
import Testing
@testable import Runtime

@Suite struct BoundedCommandTests {
    @Test func outputAndStatusAreKept() throws {
        let outcome = try BoundedCommand(executable: "/bin/sh", arguments: ["-c", "echo out; echo err >&2; exit 3"], timeLimit: 10).run()
        #expect(outcome.status == 3 && !outcome.timedOut && !outcome.succeeded)
        #expect(outcome.output == "out\nerr\n")
    }

    @Test func aCommandThatHangsIsKilledWithItsChildren() throws {
        // The shell starts a child that would keep the output pipe open; the whole group goes.
        let outcome = try BoundedCommand(executable: "/bin/sh", arguments: ["-c", "sleep 60 & sleep 60; echo never"], timeLimit: 0.5).run()
        #expect(outcome.timedOut && outcome.status == nil && !outcome.output.contains("never"))
    }

    @Test func anOwnerCanKillWhatItRuns() async throws {
        let registry = RunningCommands()
        async let outcome = Task.detached {
            try BoundedCommand(executable: "/bin/sh", arguments: ["-c", "sleep 60"], timeLimit: 120, registry: registry).run()
        }.value
        #expect(await eventually(30) { registry.count == 1 })
        registry.killAll()
        let result = try await outcome
        #expect(result.status == nil && !result.timedOut, "killed by its owner, not finished or timed out")
    }

    @Test func outputBeyondTheLimitIsCut() throws {
        let outcome = try BoundedCommand(executable: "/bin/sh", arguments: ["-c", "head -c 100000 /dev/zero"], timeLimit: 10,
                                         outputLimit: 1000).run()
        #expect(outcome.output.utf8.count == 1000 && outcome.truncated && outcome.succeeded)
    }
}
