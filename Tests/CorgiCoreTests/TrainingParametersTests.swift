@testable import CorgiCore
import XCTest

final class TrainingParametersTests: XCTestCase {
    private func failure(_ text: String) -> TrainingParameters.Failure? {
        if case .failure(let f) = TrainingParameters.parse(text) { return f }
        return nil
    }

    func testDefaultsAreWrittenOut() throws {
        let p = try TrainingParameters.parse("").get()
        XCTAssertEqual(p, TrainingParameters())
        XCTAssertEqual(p.normalized,
            "learning_rate=0.1, decay=0.95, batch_size=1, l2=0.0, l1=0.0, intercept=true, buffer_fraction=0.1, block_mb=10.0, max_buffer_mb=1024.0, full_shuffle_mb=64.0, seed=42, average=true, optimizer=sgd")
    }

    func testOptimizersBringTheirDefaultsAndWriteThemOut() throws {
        let adam = try TrainingParameters.parse("optimizer=adam").get()
        XCTAssertEqual(adam.learningRate, 0.001)
        XCTAssertTrue(adam.normalized.hasSuffix("optimizer=adam, beta1=0.9, beta2=0.999, epsilon=1e-08"))
        let momentum = try TrainingParameters.parse("optimizer=momentum, momentum=0.5").get()
        XCTAssertEqual(momentum.learningRate, 0.01)
        XCTAssertTrue(momentum.normalized.hasSuffix("optimizer=momentum, momentum=0.5"))
        XCTAssertEqual(try TrainingParameters.parse("optimizer=adam, learning_rate=0.02").get().learningRate, 0.02)
        // The normalised string parses back to the same parameters.
        XCTAssertEqual(try TrainingParameters.parse(adam.normalized).get(), adam)
    }

    func testNetworksHaveTheirOwnDefaultsAndKeys() throws {
        let mlp = try TrainingParameters.parse("hidden_layers=[64,32], activation=tanh, standardize=true", family: .mlp).get()
        XCTAssertEqual(mlp.hiddenLayers, [64, 32])
        XCTAssertEqual(mlp.activation, .tanh)
        XCTAssertEqual(mlp.optimizer, .adam)
        XCTAssertEqual(mlp.batchSize, 64)
        XCTAssertEqual(mlp.learningRate, 0.001)
        XCTAssertEqual(mlp.decay, 1, "a constant learning rate, as scikit-learn's Adam")
        XCTAssertEqual(try TrainingParameters.parse("decay=0.9", family: .mlp).get().decay, 0.9)
        XCTAssertEqual(try TrainingParameters.parse("", family: .logistic).get().decay, 0.95)
        XCTAssertTrue(mlp.average)
        XCTAssertTrue(mlp.normalized.hasSuffix("hidden_layers=[64,32], activation=tanh, standardize=true"))
        XCTAssertEqual(try TrainingParameters.parse(mlp.normalized, family: .mlp).get(), mlp)
        let plain = try TrainingParameters.parse("", family: .mlpRegression).get()
        XCTAssertEqual(plain.hiddenLayers, [100])
        func failure(_ text: String, _ family: ModelFamily) -> String? {
            if case .failure(let f) = TrainingParameters.parse(text, family: family) { return f.message }
            return nil
        }
        XCTAssertEqual(failure("hidden_layers=[8]", .logistic), "parameter \"hidden_layers\" applies to mlp and mlp_regression only")
        XCTAssertEqual(failure("hidden_layers=[8,0]", .mlp), "hidden_layers must be 1 to 16 widths from 1 to 100000, got \"[8,0]\"")
        XCTAssertEqual(failure("hidden_layers=[]", .mlp), "hidden_layers must be 1 to 16 widths from 1 to 100000, got \"[]\"")
        XCTAssertEqual(failure("activation=gelu", .mlp), "activation must be one of relu, tanh, sigmoid, got \"gelu\"")
    }

    func testParsesAnyOrderCaseAndSpacing() throws {
        let p = try TrainingParameters.parse(" SEED=7,learning_rate = 0.5 , intercept=off, batch_size=128, validation_table=s.v ").get()
        XCTAssertEqual(p.seed, 7)
        XCTAssertEqual(p.learningRate, 0.5)
        XCTAssertFalse(p.intercept)
        XCTAssertEqual(p.batchSize, 128)
        XCTAssertEqual(p.validationTable, "s.v")
        XCTAssertTrue(p.normalized.hasSuffix("seed=7, average=true, optimizer=sgd, validation_table=s.v"))
        XCTAssertFalse(try TrainingParameters.parse("Average=off").get().average)
        XCTAssertEqual(try TrainingParameters.parse("seed=-3").get().seed, -3)
    }

    func testErrorsNameTheKeyAndValue() {
        XCTAssertEqual(failure("learning_rat=0.1")?.message, "unknown parameter \"learning_rat\"")
        XCTAssertEqual(failure("learning_rat=0.1")?.hint,
            "Valid parameters: learning_rate, decay, batch_size, l2, l1, intercept, buffer_fraction, block_mb, max_buffer_mb, full_shuffle_mb, seed, average, optimizer, momentum, beta1, beta2, epsilon, hidden_layers, activation, standardize, segments, segment_offset, segment_seed, patience, tolerance, workers, validation_table, configs_per_visit, solver, nulls, max_levels, categorical, svr_epsilon, class_weight.")
        XCTAssertEqual(failure("learning_rate=0")?.message, "learning_rate must be a positive number, got \"0\"")
        XCTAssertEqual(failure("learning_rate=nan")?.message, "learning_rate must be a positive number, got \"nan\"")
        XCTAssertEqual(failure("decay=1.5")?.message, "decay must be in (0, 1], got \"1.5\"")
        XCTAssertEqual(failure("batch_size=2.5")?.message, "batch_size must be a whole number from 1 to 1000000, got \"2.5\"")
        XCTAssertEqual(failure("buffer_fraction=0")?.message, "buffer_fraction must be in (0, 1], got \"0\"")
        XCTAssertEqual(failure("intercept=maybe")?.message, "intercept must be true or false, got \"maybe\"")
        XCTAssertEqual(failure("average=2")?.message, "average must be true or false, got \"2\"")
        XCTAssertEqual(failure("optimizer=rmsprop")?.message, "optimizer must be one of sgd, momentum, adam, got \"rmsprop\"")
        XCTAssertEqual(failure("beta1=0.5")?.message, "parameter \"beta1\" applies to optimizer=adam only")
        XCTAssertEqual(failure("optimizer=adam, beta2=1")?.message, "beta2 must be in [0, 1), got \"1\"")
        XCTAssertEqual(failure("optimizer=momentum, momentum=-0.1")?.message, "momentum must be in [0, 1), got \"-0.1\"")
        XCTAssertEqual(failure("seed=1e3")?.message, "seed must be a whole number, got \"1e3\"")
        XCTAssertEqual(failure("seed=1, seed=2")?.message, "parameter \"seed\" is given twice")
        XCTAssertEqual(failure("seed")?.message, "parameter \"seed\" has no value")
        XCTAssertEqual(failure("seed=1,,l2=0")?.message, "empty parameter in \"seed=1,,l2=0\"")
        XCTAssertEqual(failure("l1=-1")?.message, "l1 must be zero or positive, got \"-1\"")
    }
}

final class LearningRateScheduleTests: XCTestCase {
    func testDecayIsLearningRateTimesDecayToTheEpoch() throws {
        var p = TrainingParameters()
        p.learningRate = 0.5
        p.decay = 0.9
        XCTAssertEqual(p.learningRate(epoch: 0), 0.5)
        XCTAssertEqual(p.learningRate(epoch: 1), 0.45)
        for epoch in [2, 3, 7, 20, 64] {
            XCTAssertEqual(p.learningRate(epoch: epoch), 0.5 * pow(0.9, Double(epoch)), accuracy: 1e-15 * 0.5)
        }
        XCTAssertEqual(p.learningRate(epoch: -3), 0.5)
    }

    func testHugeEpochCountsAreCheap() {
        // An epoch count read from a state can be up to 2^32 - 1: must not loop that often.
        var p = TrainingParameters()
        p.decay = 0.999_999
        p.learningRate = 1
        XCTAssertEqual(p.learningRate(epoch: Int(UInt32.max)), pow(0.999_999, Double(UInt32.max)), accuracy: 1e-300)
        p.decay = 1
        XCTAssertEqual(p.learningRate(epoch: Int(UInt32.max)), 1)
    }

    func testSegmentsAreWrittenOutAndWorkersAreNot() throws {
        let p = try TrainingParameters.parse("segments=4, segment_offset=3, workers=2, seed=7").get()
        XCTAssertEqual(p.segments, 4); XCTAssertEqual(p.segmentOffset, 3); XCTAssertEqual(p.workers, 2)
        XCTAssertTrue(p.normalized.hasSuffix("seed=7, average=true, optimizer=sgd, segments=4, segment_offset=3, segment_seed=7"))
        XCTAssertFalse(p.normalized.contains("workers"))
        XCTAssertFalse(try TrainingParameters.parse("seed=7").get().normalized.contains("segment"))
        XCTAssertEqual(try TrainingParameters.parse("segments=2, segment_seed=-3").get().segmentSeed, -3)
        for bad in ["segment_offset=1", "segment_seed=2", "segments=2, segment_offset=2", "segments=1.5",
                    "segments=-1", "workers=2000", "segments=2, segment_seed=x"] {
            XCTAssertThrowsError(try TrainingParameters.parse(bad).get(), bad)
        }
    }

    func testMergedParamsLetTheOverrideWinKeyByKey() {
        XCTAssertEqual(TrainingParameters.merged(base: "seed=42, l2=0, hidden_layers=[4,2]", override: "L2 = 0.5, batch_size=8"),
                       "seed=42, L2 = 0.5, hidden_layers=[4,2], batch_size=8")
        XCTAssertEqual(TrainingParameters.merged(base: "", override: "l2=1"), "l2=1")
        XCTAssertEqual(TrainingParameters.merged(base: "l2=1", override: "  "), "l2=1")
        XCTAssertEqual(TrainingParameters.merged(base: "oops, l2=1", override: "oops"), "oops, l2=1",
                       "malformed items pass through, for the parser to name")
    }

    /// Each numeric rule reads the value of its own key (the rules name their values, so
    /// that a decode checks them without looking each up by name).
    func testEachRuleReadsItsOwnValue() throws {
        var p = try TrainingParameters.parse(
            "learning_rate=0.3, decay=0.7, batch_size=9, l2=0.02, l1=0.01, buffer_fraction=0.4, block_mb=4, "
                + "max_buffer_mb=77, full_shuffle_mb=12, segments=5, segment_offset=2, workers=3, patience=4, tolerance=0.02, configs_per_visit=6, max_levels=7").get()
        p.momentum = 0.8; p.beta1 = 0.85; p.beta2 = 0.95; p.epsilon = 1e-7; p.svrEpsilon = 0.3
        let expected: [String: Double] = [
            "learning_rate": 0.3, "decay": 0.7, "batch_size": 9, "l2": 0.02, "l1": 0.01, "buffer_fraction": 0.4,
            "block_mb": 4, "max_buffer_mb": 77, "full_shuffle_mb": 12, "momentum": 0.8, "beta1": 0.85, "beta2": 0.95, "epsilon": 1e-7,
            "segments": 5, "segment_offset": 2, "workers": 3, "patience": 4, "tolerance": 0.02, "configs_per_visit": 6, "max_levels": 7,
            "svr_epsilon": 0.3,
        ]
        XCTAssertEqual(Set(TrainingParameters.numericRules.map(\.key)), Set(expected.keys))
        for rule in TrainingParameters.numericRules {
            XCTAssertEqual(rule.value(p), expected[rule.key], rule.key)
        }
        p.beta2 = 1
        XCTAssertEqual(p.validationFailure()?.message, "beta2 must be in [0, 1), got 1")
    }
}

final class EarlyStoppingParametersTests: XCTestCase {
    func testPatienceAndToleranceParseAndNormalize() throws {
        let p = try TrainingParameters.parse("patience=3, validation_table=v").get()
        XCTAssertEqual(p.patience, 3)
        XCTAssertEqual(p.tolerance, 1e-4)
        XCTAssertTrue(p.normalized.hasSuffix("patience=3, tolerance=0.0001, validation_table=v"), p.normalized)
        XCTAssertEqual(try TrainingParameters.parse(p.normalized).get(), p, "normalized parses back")
        let q = try TrainingParameters.parse("tolerance=0.01, patience=2").get()
        XCTAssertEqual(q.tolerance, 0.01)
        XCTAssertFalse(try TrainingParameters.parse("").get().normalized.contains("patience"),
                       "off by default, and then not written")
    }

    func testBadValuesAreErrors() {
        for text in ["patience=0", "patience=1.5", "patience=100001", "patience=3, tolerance=-1", "tolerance=0.1"] {
            guard case .failure(let failure) = TrainingParameters.parse(text) else {
                return XCTFail("\(text) was accepted")
            }
            XCTAssertFalse(failure.message.isEmpty)
        }
        guard case .failure(let failure) = TrainingParameters.parse("tolerance=0.1") else { return XCTFail() }
        XCTAssertEqual(failure.message, "parameter \"tolerance\" applies with patience only")
    }

}

extension TrainingParametersTests {
    /// Another model than a network takes standardize for a list of feature columns: written
    /// out when given (a replay with the stored params then standardizes the same way),
    /// absent otherwise; the feature-list call keys (nulls, max_levels) are never written.
    func testStandardizeOfAFeatureListIsWrittenWhenGiven() throws {
        let given = try TrainingParameters.parse("standardize=false, nulls=impute, max_levels=5", family: .logistic).get()
        XCTAssertTrue(given.normalized.hasSuffix("optimizer=sgd, standardize=false"), given.normalized)
        XCTAssertEqual(given.nulls, "impute")
        XCTAssertEqual(given.maxLevels, 5)
        let absent = try TrainingParameters.parse("", family: .logistic).get()
        XCTAssertFalse(absent.normalized.contains("standardize"))
        XCTAssertEqual(failure("nulls=zero")?.message, "nulls must be skip or impute, got \"zero\"")
        XCTAssertEqual(try TrainingParameters.parse("categorical=[store, zip], l2=0", family: .logistic).get().categorical,
                       ["store", "zip"])
        XCTAssertEqual(failure("categorical=store")?.message,
                       "categorical must be a list of feature columns in brackets, got \"store\"")
    }
}
