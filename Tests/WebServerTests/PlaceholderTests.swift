import Testing
@testable import WebServer

@Test func moduleLoads() { #expect(WebServerModule.name == "WebServer") }
