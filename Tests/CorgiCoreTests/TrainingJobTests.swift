import XCTest
@testable import CorgiCore

final class TrainingJobTests: XCTestCase {
    func testTrainReadsOneTaskEveryWayAndStopsOnDivergence() throws {
        let cases: [(String, Bool, TrainingJob.ReadPath)] = [
            ("partitions", true, .partitions), ("fast", true, .hop), ("fast", false, .pass), ("composed", false, .composed),
        ]
        for (path, segments, read) in cases {
            let job = try XCTUnwrap(TrainingJob(call: "train", path: path, segments: segments, tasks: 1), path)
            XCTAssertEqual(job.readPath, read, path)
            XCTAssertEqual(job.divergence, .stopCall)
            XCTAssertFalse(job.secondsPerTask)
        }
        XCTAssertNil(TrainingJob(call: "train", path: "fast", segments: false, tasks: 2), "one pass trains one task")
    }

    func testFitMultipleHopsAndSetsTasksAside() throws {
        let hop = try XCTUnwrap(TrainingJob(call: "fit_multiple", path: "fast", segments: true, tasks: 8))
        XCTAssertEqual(hop.readPath, .hop)
        XCTAssertEqual(hop.divergence, .setTaskAside)
        XCTAssertTrue(hop.secondsPerTask)
        XCTAssertEqual(TrainingJob(call: "fit_multiple", path: "partitions", segments: true, tasks: 1000)?.readPath,
                       .partitions)
        XCTAssertNil(TrainingJob(call: "fit_multiple", path: "fast", segments: false, tasks: 2), "it always hops")
        XCTAssertNil(TrainingJob(call: "fit_multiple", path: "composed", segments: false, tasks: 2))
        XCTAssertNil(TrainingJob(call: "fit_multiple", path: "fast", segments: true, tasks: 1001))
    }

    func testNoJobOutsideTheTable() {
        XCTAssertNil(TrainingJob(call: "train", path: "composed", segments: true, tasks: 1), "a query cannot hop")
        XCTAssertNil(TrainingJob(call: "train", path: "partitions", segments: false, tasks: 1))
        XCTAssertNil(TrainingJob(call: "train", path: "once", segments: false, tasks: 1))
        XCTAssertNil(TrainingJob(call: "evaluate", path: "fast", segments: false, tasks: 1))
        XCTAssertNil(TrainingJob(call: "train", path: "fast", segments: false, tasks: 0))
    }

    func testGroupedTrainSetsGroupsAside() throws {
        let pass = try XCTUnwrap(TrainingJob(call: "train", path: "fast", segments: false, tasks: 1, groups: 200))
        XCTAssertEqual(pass.readPath, .groupPass)
        XCTAssertEqual(pass.divergence, .setGroupAside)
        XCTAssertFalse(pass.secondsPerTask)
        XCTAssertEqual(TrainingJob(call: "train", path: "composed", segments: false, tasks: 1, groups: 1)?.readPath,
                       .groupComposed)
        let hop = try XCTUnwrap(TrainingJob(call: "train", path: "fast", segments: true, tasks: 1, groups: 2),
                                "a grouped train hops as one bundle")
        XCTAssertEqual(hop.readPath, .groupHop)
        XCTAssertFalse(hop.secondsPerTask)
        XCTAssertNil(TrainingJob(call: "train", path: "composed", segments: true, tasks: 1, groups: 2))
        XCTAssertEqual(TrainingJob(call: "train", path: "partitions", segments: true, tasks: 1, groups: 2)?.readPath,
                       .groupHop, "a grouped train hops over local partitions as one bundle")
        let bundles = try XCTUnwrap(TrainingJob(call: "fit_multiple", path: "fast", segments: true, tasks: 8, groups: 50))
        XCTAssertEqual(bundles.readPath, .groupHop)
        XCTAssertEqual(bundles.divergence, .setGroupAside)
        XCTAssertTrue(bundles.secondsPerTask)
        XCTAssertEqual(TrainingJob(call: "fit_multiple", path: "partitions", segments: true, tasks: 2, groups: 2)?.readPath,
                       .groupHop, "grouped configs hop over local partitions")
        XCTAssertNil(TrainingJob(call: "fit_multiple", path: "composed", segments: false, tasks: 2, groups: 2))
        XCTAssertNil(TrainingJob(call: "train", path: "fast", segments: false, tasks: 1, groups: 1_000_001))
    }

    func testReadPathNumbersAreTheABIs() {
        XCTAssertEqual([TrainingJob.ReadPath.partitions, .hop, .pass, .composed, .groupPass, .groupComposed, .groupHop]
                        .map(\.rawValue), [1, 2, 3, 4, 5, 6, 7])
    }
}
