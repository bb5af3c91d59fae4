import XCTest
@testable import CorgiCore

final class RandomSearchTests: XCTestCase {
    private func draw(_ grid: String, _ n: Int = 200, seed: Int64 = 1, family: ModelFamily = .logistic) throws -> [String] {
        try RandomSearch.draw(grid, family: family, count: n, seed: seed).get()
    }

    /// The value of `key` in each params string (entries are joined by ", "; lists have no spaces).
    private func values(_ configs: [String], _ key: String) -> [String] {
        configs.map { c in
            var entries: [String] = [], current = ""
            var chars = Array(c)[...]
            while let ch = chars.popFirst() {
                if ch == ",", chars.first == " " { entries.append(current); current = ""; chars = chars.dropFirst() }
                else { current.append(ch) }
            }
            entries.append(current)
            return entries.first { $0.hasPrefix("\(key)=") }.map { String($0.dropFirst(key.count + 1)) } ?? ""
        }
    }

    func testRangesChoicesAndFixedValues() throws {
        let configs = try draw("learning_rate=[0.0001, 0.1, log], l2=[0, 0.01], batch_size=[1, 64], average=[true,false,true], seed=7")
        XCTAssertEqual(configs.count, 200)
        let rates = values(configs, "learning_rate").compactMap(Double.init)
        XCTAssertEqual(rates.count, 200)
        XCTAssertTrue(rates.allSatisfy { $0 >= 0.0001 && $0 <= 0.1 })
        // Log-uniform: about as many draws below 0.00316 (the geometric middle) as above.
        let low = rates.filter { $0 < 0.0031623 }.count
        XCTAssertTrue(low > 70 && low < 130, "\(low) of 200 below the geometric middle")
        XCTAssertTrue(values(configs, "l2").compactMap(Double.init).allSatisfy { $0 >= 0 && $0 <= 0.01 })
        let sizes = values(configs, "batch_size").compactMap(Int.init)
        XCTAssertEqual(sizes.count, 200, "whole numbers")
        XCTAssertTrue(sizes.allSatisfy { $0 >= 1 && $0 <= 64 })
        XCTAssertEqual(Set(values(configs, "average")), ["true", "false"])
        XCTAssertEqual(Set(values(configs, "seed")), ["7"])
    }

    func testTheSeedFixesTheDraws() throws {
        XCTAssertEqual(try draw("learning_rate=[0.001, 1, log]", 5, seed: 3), try draw("learning_rate=[0.001, 1, log]", 5, seed: 3))
        XCTAssertNotEqual(try draw("learning_rate=[0.001, 1, log]", 5, seed: 3), try draw("learning_rate=[0.001, 1, log]", 5, seed: 4))
    }

    func testNetworkChoices() throws {
        let configs = try draw("hidden_layers=[[32],[64,32]], learning_rate=[0.001, 0.01]", 50, family: .mlp)
        XCTAssertEqual(Set(values(configs, "hidden_layers")), ["[32]", "[64,32]"])
    }

    func testBadGridsAreErrors() {
        for (grid, message) in [
            ("learning_rate=[0, 0.1, log]", "grid key \"learning_rate\" has a log range starting at 0"),
            ("l2=[0.1, 0.01]", "grid key \"l2\" has the range [0.1, 0.01], whose low end is not below its high end"),
            ("workers=[1, 2]", "grid key \"workers\" belongs to the call, not to a configuration"),
            ("learning_rate=[-1, -0.5]", "configuration 1 (learning_rate="),
        ] {
            guard case .failure(let f) = RandomSearch.draw(grid, family: .logistic, count: 3, seed: 1) else {
                return XCTFail("\(grid) accepted")
            }
            XCTAssertTrue(f.message.hasPrefix(message), f.message)
        }
        guard case .failure = RandomSearch.draw("l2=[0, 1]", family: .logistic, count: 0, seed: 1) else { return XCTFail() }
    }
}
