import CorgiCore
import XCTest

final class ConfigGridTests: XCTestCase {
    func testEveryCombinationFirstKeySlowest() throws {
        let grid = try ConfigGrid.expand("learning_rate=[0.01,0.1,0.5], l2=[0,0.0001], seed=7", family: .logistic).get()
        XCTAssertEqual(grid.count, 6)
        XCTAssertEqual(grid[0], "learning_rate=0.01, l2=0, seed=7")
        XCTAssertEqual(grid[1], "learning_rate=0.01, l2=0.0001, seed=7")
        XCTAssertEqual(grid[5], "learning_rate=0.5, l2=0.0001, seed=7")
        let mlp = try ConfigGrid.expand("hidden_layers=[[32],[64,32]], activation=[relu,tanh]", family: .mlp).get()
        XCTAssertEqual(mlp, ["hidden_layers=[32], activation=relu", "hidden_layers=[32], activation=tanh",
                             "hidden_layers=[64,32], activation=relu", "hidden_layers=[64,32], activation=tanh"])
        XCTAssertEqual(try ConfigGrid.expand("hidden_layers=[16]", family: .mlp).get(), ["hidden_layers=[16]"])
        XCTAssertEqual(try ConfigGrid.expand("", family: .svm).get(), [""])
    }

    func testBadGridsNameTheProblem() {
        func failure(_ grid: String, _ family: ModelFamily = .logistic) -> String? {
            if case .failure(let f) = ConfigGrid.expand(grid, family: family) { return f.message }
            return nil
        }
        XCTAssertEqual(failure("learning_rate=[0.1,-1]"),
                       "configuration 2 (learning_rate=-1): learning_rate must be a positive number, got \"-1\"")
        XCTAssertEqual(failure("l2=[]"), "grid key \"l2\" has an empty value list \"[]\"")
        XCTAssertEqual(failure("l2=[0], l2=[1]"), "grid key \"l2\" is given twice")
        XCTAssertEqual(failure("l2"), "grid entry \"l2\" has no value")
        XCTAssertEqual(failure("hidden_layers=[[8]]"),
                       "configuration 1 (hidden_layers=[8]): parameter \"hidden_layers\" applies to mlp and mlp_regression only")
        let huge = (0..<5).map { "k\($0)=[" + (0..<10).map(String.init).joined(separator: ",") + "]" }.joined(separator: ", ")
        XCTAssertEqual(failure(huge), "the grid has more than 1000 configurations")
        // fit_multiple trains at most 1,000 configurations: a grid of 1,000 is the largest.
        let thousand = "l2=[" + (0..<10).map { "0.\($0)" }.joined(separator: ",") + "], decay=["
            + (0..<10).map { "0.\($0 + 1)" }.joined(separator: ",") + "], batch_size=[" + (1...10).map(String.init).joined(separator: ",") + "]"
        XCTAssertEqual(try ConfigGrid.expand(thousand, family: .logistic).get().count, 1000)
        // Keys of the call (fit_multiple refuses them in a configuration) are refused here.
        for key in ["segments", "segment_offset", "segment_seed", "workers", "validation_table"] {
            XCTAssertEqual(failure("\(key)=[1,2]"), "grid key \"\(key)\" belongs to the call, not to a configuration")
        }
    }
}
