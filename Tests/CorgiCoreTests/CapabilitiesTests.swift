import XCTest
@testable import CorgiCore

final class CapabilitiesTests: XCTestCase {
    private func refused(_ request: Capabilities.Request) -> String? {
        Capabilities.refusal(for: request)?.combination
    }

    func testEveryRowRefusesItsCombinationOnly() {
        XCTAssertEqual(refused(.init(call: .train, source: "t", grouped: true, partitions: true)),
                       "grouping x foreign partitions")
        XCTAssertEqual(refused(.init(call: .fitMultiple, source: "t", grouped: true, partitions: true)),
                       "grouping x foreign partitions")
        XCTAssertNil(refused(.init(call: .fitMultiple, source: "t", grouped: true, partitions: false)),
                     "grouped configs hop over local partitions")
        XCTAssertNil(refused(.init(call: .train, source: "t", grouped: true, segments: true)),
                     "a grouped train hops as one bundle")
        XCTAssertEqual(refused(.init(call: .train, source: "t", grouped: true, segments: true, groupingExpression: "a % 2")),
                       "grouping expressions x segments")
        XCTAssertNil(refused(.init(call: .fitMultiple, source: "t", grouped: true, segments: true)),
                     "fit_multiple's bundles hop")
        XCTAssertEqual(refused(.init(call: .fitMultiple, source: "t", grouped: true, groupingExpression: "a + 1")),
                       "grouping expressions x fit_multiple")
        XCTAssertNil(refused(.init(call: .train, source: "t", grouped: true, groupingExpression: "a + 1")),
                     "train groups by expressions on the composed path")
        XCTAssertEqual(refused(.init(call: .fitMultiple, source: "t", shuffle: "once")), "shuffle once x fit_multiple")
        XCTAssertNil(refused(.init(call: .train, source: "t", shuffle: "once")))
        XCTAssertEqual(refused(.init(call: .train, source: "t", segments: true, composed: true)), "segments x composed read")
        XCTAssertNil(refused(.init(call: .train, source: "t", segments: true, composed: false)))
        XCTAssertEqual(refused(.init(call: .fitMultiple, source: "t", grouped: true, earlyStopping: true)),
                       "early stopping x grouping")
        XCTAssertNil(refused(.init(call: .fitMultiple, source: "t", grouped: false, earlyStopping: true)))
        XCTAssertNil(refused(.init(call: .fitMultiple, source: "t", grouped: true, schedule: "successive_halving")),
                     "each group's configs halve on their own")
        XCTAssertNil(refused(.init(call: .fitMultiple, source: "t", grouped: true, schedule: "grid")))
    }

    func testUnknownFactsMatchNothing() {
        XCTAssertNil(refused(.init(call: .train, source: "t")))
        XCTAssertNil(refused(.init(call: .train, source: "t", grouped: true)))
        XCTAssertNil(refused(.init(call: .fitMultiple, source: "t", partitions: true)))
    }

    func testMessagesNameTheSourceAndTheExpression() throws {
        let r = try XCTUnwrap(Capabilities.refusal(for: .init(call: .fitMultiple, source: "sales", grouped: true,
                                                               groupingExpression: "store % 2")))
        XCTAssertEqual(r.message, "grouping_cols of corgi.fit_multiple must name columns of sales, got \"store % 2\"")
        XCTAssertTrue(r.hint.hasPrefix("Group by a column"))
        let s = try XCTUnwrap(Capabilities.refusal(for: .init(call: .train, source: "v", segments: true, composed: true)))
        XCTAssertEqual(s.message, "segments (model hopping) needs a source whose pages corgi reads directly, and v is not one")
        XCTAssertFalse(s.detail.isEmpty)
    }
}
