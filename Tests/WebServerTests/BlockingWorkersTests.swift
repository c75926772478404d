import Synchronization
import Testing
@testable import WebServer

@Test func blockingWorkRunsOffThePoolAndAnswersEachCaller() async throws {
    let workers = BlockingWorkers(threads: 2)
    let results = try await withThrowingTaskGroup(of: Int.self) { group in
        for index in 0..<20 { group.addTask { try await workers.run { index * index } } }
        var all: [Int] = []
        for try await value in group { all.append(value) }
        return all.sorted()
    }
    #expect(results == (0..<20).map { $0 * $0 })
    struct Refused: Error {}
    await #expect(throws: Refused.self) { try await workers.run { throw Refused() } }
}

@Test func aBlockingRouteAnswersThroughThePipelineWithItsErrors() async throws {
    var router = Router()
    router.get("/slow/:n", blocking: { request in
        guard let n = Int(request.parameter("n") ?? "") else { throw HTTPError(.badRequest, "n must be a number") }
        return .text(String(n + 1))
    })
    #expect(String(decoding: await router.respond(to: try Request(method: .get, target: "/slow/41")).body, as: UTF8.self) == "42")
    #expect(await router.respond(to: try Request(method: .get, target: "/slow/x")).status == .badRequest)
    #expect(await router.respond(to: try Request(method: .post, target: "/slow/1")).status == .methodNotAllowed)
}
