/// A fused visit: several models trained on one read of a segment. The rows are read,
/// checked, copied into one ``TupleBuffer`` and shuffled once; a ``FanOutLearner`` gives
/// each shuffled row to every model in turn.
///
/// Contract: models fuse only when everything that decides which rows they see and in
/// which order is the same: the model kind, the features, the classes, the buffer
/// (capacity, mode, fraction), the run seed (it seeds the block order inside a segment
/// and every buffer shuffle) and the place in the epoch (epochs completed, buffers
/// shuffled so far). Then each model's state after the visit is bit for bit the state
/// it would reach trained alone over the same blocks (``FusedVisitTests``).
struct FusedPassenger {
    let learner: any RowLearner
    let parameters: TrainingParameters
    var lastEpoch: EpochStatistics
    /// Rows this model had skipped in the epoch when the visit began.
    var skippedBefore: Int64
}

extension TrainerSnapshot {
    /// Why `other` cannot share a fused visit with `self` (nil: it can).
    public func fusionMismatch(with other: TrainerSnapshot) -> String? {
        if other.model.kind != model.kind { return "the model kind (\(model.kind.name), \(other.model.kind.name))" }
        if other.model.featureCount != model.featureCount { return "the feature count" }
        if other.model.classValues != model.classValues { return "the classes" }
        if other.bufferCapacity != bufferCapacity || other.bufferMode != bufferMode
            || other.parameters.bufferFraction != parameters.bufferFraction {
            return "the tuple buffer (buffer_fraction, max_buffer_mb)"
        }
        if other.parameters.seed != parameters.seed { return "the seed" }
        if other.epochsCompleted != epochsCompleted || other.buffersThisEpoch != buffersThisEpoch {
            return "the place in the epoch"
        }
        return nil
    }
}

extension SGDTrainer {
    /// One trainer for a fused visit of the models in `snapshots` (the first leads: its
    /// buffer, worker and checks serve all). `previous`: as in ``make(from:concurrent:reusing:sharedWorker:)``.
    /// Fails with `invalidShape` when the snapshots may not fuse (``TrainerSnapshot/fusionMismatch(with:)``).
    public static func make(fusing snapshots: [TrainerSnapshot], concurrent: Bool,
                            reusing previous: SGDTrainer? = nil) -> Result<SGDTrainer, Failure> {
        guard let lead = snapshots.first else { return .failure(.invalidShape("a fused visit needs a model")) }
        for (i, other) in snapshots.enumerated().dropFirst() {
            if let why = lead.fusionMismatch(with: other) {
                return .failure(.invalidShape("model \(i + 1) of a fused visit differs from model 1 in \(why)"))
            }
        }
        var passengers: [FusedPassenger] = []
        for other in snapshots.dropFirst() {
            if other.parameters.average, let averaging = other.averaging, averaging.iterate.layers != other.model.layers {
                return .failure(.invalidShape("the averaged iterate does not have the model's shape"))
            }
            switch makeLearner(model: other.model, parameters: other.parameters, epochsCompleted: other.epochsCompleted,
                               current: other.current, l1Total: other.l1Total, l1Applied: other.l1Applied,
                               averaging: other.averaging, optimizerState: other.optimizerState) {
            case .success(let learner):
                passengers.append(FusedPassenger(learner: learner, parameters: other.parameters,
                                                 lastEpoch: other.lastEpoch, skippedBefore: other.current.skipped))
            case .failure(let failure):
                return .failure(failure)
            }
        }
        let trainer: SGDTrainer
        switch make(from: lead, concurrent: concurrent, reusing: previous) {
        case .success(let made): trainer = made
        case .failure(let failure): return .failure(failure)
        }
        guard !passengers.isEmpty else { return .success(trainer) }
        guard let fanOut = FanOutLearner(members: [trainer.learner] + passengers.map(\.learner)),
            trainer.buffer.rebind(to: fanOut, epoch: lead.epochsCompleted, buffersThisEpoch: lead.buffersThisEpoch,
                                  seed: lead.parameters.seed)
        else {
            trainer.shutdown()
            return .failure(.invalidShape("the models of a fused visit do not share a row width"))
        }
        trainer.fanOut = fanOut
        trainer.passengers = passengers
        trainer.skippedBefore = lead.current.skipped
        return .success(trainer)
    }

    /// Models this trainer trains: 1, or a fused visit's count.
    public var memberCount: Int { 1 + passengers.count }

    /// Member `member`'s state (0: the lead, ``snapshot``), or nil while rows are buffered,
    /// a mini-batch is partial, or the member does not exist.
    public func snapshot(member: Int) -> TrainerSnapshot? {
        if member == 0 { return snapshot }
        guard member > 0, member <= passengers.count, !isTraining, bufferedRows == 0 else { return nil }
        let p = passengers[member - 1]
        guard p.learner.pendingBatchRows == 0 else { return nil }
        let state = p.learner.optimizerState
        let sgd = p.parameters.optimizer == .sgd
        return TrainerSnapshot(
            model: p.learner.model, parameters: p.parameters, bufferCapacity: bufferCapacity, bufferMode: bufferMode,
            epochsCompleted: p.learner.epochsCompleted, buffersThisEpoch: buffersInEpoch,
            current: passengerStatistics(member - 1), lastEpoch: p.lastEpoch,
            l1Total: sgd ? state.l1Total : 0, l1Applied: sgd ? (state.first.isEmpty ? nil : state.first) : nil,
            averaging: p.learner.averagingState, optimizerState: sgd ? nil : state)
    }

    /// Passenger `index`'s epoch in progress: its rows and loss, and the rows skipped (the
    /// lead counts them for all).
    func passengerStatistics(_ index: Int) -> EpochStatistics {
        let p = passengers[index]
        return EpochStatistics(rows: p.learner.current.rows, skipped: p.skippedBefore &+ (skippedRows &- skippedBefore),
                               lossSum: p.learner.current.lossSum)
    }
}
