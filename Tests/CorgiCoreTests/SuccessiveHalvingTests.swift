import XCTest
@testable import CorgiCore

final class SuccessiveHalvingTests: XCTestCase {
    private func schedule(_ n: Int, _ eta: Int, _ r: Int) -> [[Int]] {
        (SuccessiveHalving(configs: n, eta: eta, epochs: r)?.rungs ?? []).map { [$0.epoch, $0.keep] }
    }

    func testTheClassicSchedules() {
        XCTAssertEqual(schedule(27, 3, 27), [[1, 9], [3, 3], [9, 1], [27, 1]])
        XCTAssertEqual(schedule(8, 2, 8), [[1, 4], [2, 2], [4, 1], [8, 1]])
        XCTAssertEqual(schedule(9, 3, 81), [[9, 3], [27, 1], [81, 1]])
    }

    func testFewEpochsOrConfigsMakeFewerRungs() {
        XCTAssertEqual(schedule(8, 3, 10), [[3, 2], [10, 2]], "s = min(log3 8, log3 10) = 1")
        XCTAssertEqual(schedule(100, 3, 2), [[2, 100]], "two epochs: one rung, no halving")
        XCTAssertEqual(schedule(1, 2, 16), [[16, 1]])
        XCTAssertEqual(schedule(5, 2, 4), [[1, 2], [2, 1], [4, 1]])
    }

    func testOutOfRangeIsNoSchedule() {
        XCTAssertNil(SuccessiveHalving(configs: 0, eta: 3, epochs: 9))
        XCTAssertNil(SuccessiveHalving(configs: 9, eta: 1, epochs: 9))
        XCTAssertNil(SuccessiveHalving(configs: 1001, eta: 3, epochs: 9))
        XCTAssertNil(SuccessiveHalving(configs: 9, eta: 3, epochs: 0))
    }

    func testSurvivorsAreTheBestByTheMetric() {
        XCTAssertEqual(SuccessiveHalving.survivors(metrics: [0.7, 0.9, nil, 0.9, 0.5], keep: 2, higherIsBetter: true),
                       [1, 3], "ties keep the lower index")
        XCTAssertEqual(SuccessiveHalving.survivors(metrics: [3.0, 1.0, .nan, 2.0], keep: 2, higherIsBetter: false),
                       [1, 3], "RMSE: lower is better; NaN is the worst")
        XCTAssertEqual(SuccessiveHalving.survivors(metrics: [nil, nil], keep: 1, higherIsBetter: true), [0])
    }
}

final class TrainingScheduleTests: XCTestCase {
    func testNamesAndParams() {
        XCTAssertEqual(try TrainingSchedule.parse(name: "grid", params: "").get(), .grid)
        XCTAssertEqual(try TrainingSchedule.parse(name: "hyperband", params: "eta=4").get(), .hyperband(eta: 4))
        XCTAssertEqual(try TrainingSchedule.parse(name: "successive_halving", params: "").get(), .successiveHalving(eta: 3))
        XCTAssertEqual(try TrainingSchedule.parse(name: "Successive_Halving", params: " ETA = 2 ").get(),
                       .successiveHalving(eta: 2))
        for (name, params, message) in [
            ("successive_halving", "eta=1", "eta must be a whole number from 2 to 1000, got \"1\""),
            ("successive_halving", "rungs=3", "unknown schedule parameter \"rungs=3\""),
            ("grid", "eta=3", "schedule grid takes no schedule_params"),
            ("random", "", "unknown schedule \"random\""),
        ] {
            guard case .failure(let failure) = TrainingSchedule.parse(name: name, params: params) else {
                return XCTFail("\(name) \(params) accepted")
            }
            XCTAssertEqual(failure.message, message)
        }
    }
}

final class HyperbandTests: XCTestCase {
    func testTheBracketsOfTheHyperbandPaper() throws {
        let h = try XCTUnwrap(Hyperband(eta: 3, epochs: 81))
        XCTAssertEqual(h.brackets.map(\.configs), [81, 34, 15, 8, 5])
        XCTAssertEqual(h.configs, 143)
        XCTAssertEqual(h.brackets[0].halving.rungs.map(\.epoch), [1, 3, 9, 27, 81])
        XCTAssertEqual(h.brackets[0].halving.rungs.map(\.keep), [27, 9, 3, 1, 1])
        XCTAssertEqual(h.brackets[1].halving.rungs.map(\.epoch), [3, 9, 27, 81])
        XCTAssertEqual(h.brackets[1].halving.rungs.map(\.keep), [11, 3, 1, 1])
        XCTAssertEqual(h.brackets[4].halving.rungs.map(\.epoch), [81], "the last bracket trains its configs fully")
    }

    func testSmallBudgets() throws {
        XCTAssertEqual(try XCTUnwrap(Hyperband(eta: 3, epochs: 9)).brackets.map(\.configs), [9, 5, 3])
        XCTAssertEqual(try XCTUnwrap(Hyperband(eta: 2, epochs: 1)).brackets.map(\.configs), [1])
        XCTAssertNil(Hyperband(eta: 1, epochs: 9))
        XCTAssertNil(Hyperband(eta: 2, epochs: 1 << 20), "too many configs for one call")
    }

    func testAnyNumberOfConfigsIsSplitInHyperbandsProportions() throws {
        let h = try XCTUnwrap(Hyperband(eta: 3, epochs: 9, configs: 27))
        XCTAssertEqual(h.brackets.map(\.configs), [14, 8, 5], "9 : 5 : 3 of 27")
        XCTAssertEqual(h.configs, 27)
        XCTAssertEqual(try XCTUnwrap(Hyperband(eta: 3, epochs: 9, configs: 17)).brackets.map(\.configs), [9, 5, 3])
        XCTAssertEqual(try XCTUnwrap(Hyperband(eta: 3, epochs: 9, configs: 3)).brackets.map(\.configs), [1, 1, 1])
        XCTAssertNil(Hyperband(eta: 3, epochs: 9, configs: 2), "fewer configs than brackets")
    }

    /// The configs are dealt to the brackets: each bracket gets exactly its count, and
    /// a run of configs listed together (a grid's 9 logistic, 9 svm, 9 mlp) lands in every
    /// bracket in proportion, not the last model's configs all in the bracket that never halves.
    func testConfigsAreDealtToTheBracketsInProportion() throws {
        let h = try XCTUnwrap(Hyperband(eta: 3, epochs: 9, configs: 27))
        let dealt = h.configBrackets
        XCTAssertEqual(dealt.count, 27)
        for (b, bracket) in h.brackets.enumerated() {
            XCTAssertEqual(dealt.filter { $0 == b }.count, bracket.configs, "bracket \(b)")
        }
        for model in 0..<3 {
            let run = dealt[(9 * model)..<(9 * model + 9)]
            // 14 : 8 : 5 of 9 is 4.7 : 2.7 : 1.7: every bracket gets one to five of each model.
            for b in 0..<3 {
                let n = run.filter { $0 == b }.count
                XCTAssertTrue((1...5).contains(n), "model \(model) has \(n) configs in bracket \(b): \(dealt)")
            }
        }
        XCTAssertEqual(dealt.prefix(5), [0, 1, 0, 2, 0], "the first configs go round the brackets")
        let paper = try XCTUnwrap(Hyperband(eta: 3, epochs: 81))
        XCTAssertEqual(paper.configBrackets.count, 143)
        XCTAssertEqual(try XCTUnwrap(Hyperband(eta: 3, epochs: 9, configs: 3)).configBrackets, [0, 1, 2])
    }
}
