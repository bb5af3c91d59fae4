/// The combinations of a training call that corgi does not offer (yet), in one table: the
/// drivers ask it (`corgi._check_offered`) with what they know of a call, and the first
/// row that matches is the error. A combination made to work is a row removed here.
///
/// | combination | calls | why |
/// |---|---|---|
/// | grouping x foreign partitions | train, fit_multiple | a foreign partition's groups would need a grouped pass on its server (over local partitions the bundles hop) |
/// | grouping expressions x segments | train | a bundle's visit reads pages: keys must be columns |
/// | grouping expressions x fit_multiple | fit_multiple | a bundle's visit reads pages: keys must be columns |
/// | shuffle once x fit_multiple | fit_multiple | the copy would be made per config |
/// | segments x composed read | train | hopping cuts pages; a query has none |
/// | early stopping x grouping | train, fit_multiple | a group would stop alone, its bundle or batch going on |
public enum Capabilities {
    /// What a driver knows of a call; nil: not known (rows that need it do not match).
    public struct Request: Sendable {
        public var call: TrainingJob.Call
        public var source: String
        public var grouped: Bool?
        public var partitions: Bool?
        public var segments: Bool?
        public var composed: Bool?
        public var shuffle: String?
        /// A grouping item that is an expression, not a column of the source.
        public var groupingExpression: String?
        /// Whether the call stops its models early (patience).
        public var earlyStopping: Bool?
        /// The schedule of a fit_multiple call (`grid`, `successive_halving`).
        public var schedule: String?

        public init(call: TrainingJob.Call, source: String, grouped: Bool? = nil, partitions: Bool? = nil,
                    segments: Bool? = nil, composed: Bool? = nil, shuffle: String? = nil,
                    groupingExpression: String? = nil, earlyStopping: Bool? = nil, schedule: String? = nil) {
            self.call = call
            self.source = source
            self.grouped = grouped
            self.partitions = partitions
            self.segments = segments
            self.composed = composed
            self.shuffle = shuffle
            self.groupingExpression = groupingExpression
            self.earlyStopping = earlyStopping
            self.schedule = schedule
        }
    }

    /// The error of an unoffered combination (SQLSTATE feature_not_supported).
    public struct Refusal: Equatable, Sendable {
        public let combination: String
        public let message: String
        public let detail: String
        public let hint: String
    }

    /// One row of the table.
    public struct Row: Sendable {
        public let combination: String
        public let calls: [TrainingJob.Call]
        let matches: @Sendable (Request) -> Bool
        let refusal: @Sendable (Request) -> (message: String, detail: String, hint: String)
    }

    public static let rows: [Row] = [
        // `partitions`: model hopping over partitions of which one is foreign (the drivers
        // ask it so for grouped calls: over local partitions the groups hop).
        Row(combination: "grouping x foreign partitions", calls: [.train, .fitMultiple],
            matches: { $0.grouped == true && $0.partitions == true },
            refusal: { ("grouping_cols is not offered yet with model hopping over the foreign partitions of \($0.source)",
                        "A grouped visit of a foreign partition would need a grouped pass on its server.",
                        "Train each server's groups there, or group a local copy of the table.") }),
        Row(combination: "grouping expressions x segments", calls: [.train],
            matches: { $0.grouped == true && $0.segments == true && $0.groupingExpression != nil },
            refusal: { ("grouping_cols with segments must name columns of \($0.source), got \"\($0.groupingExpression ?? "")\"",
                        "With segments the groups hop as one bundle, whose visits read pages and route rows by column values.",
                        "Group by a column: add the expression to a copy of the table (CREATE TABLE ... AS SELECT *, (expr) AS g ...), or leave segments out.") }),
        Row(combination: "grouping expressions x fit_multiple", calls: [.fitMultiple],
            matches: { $0.grouped == true && $0.groupingExpression != nil },
            refusal: { ("grouping_cols of corgi.fit_multiple must name columns of \($0.source), got \"\($0.groupingExpression ?? "")\"",
                        "",
                        "Group by a column: add the expression to a copy of the table (CREATE TABLE ... AS SELECT *, (expr) AS g ...).") }),
        Row(combination: "shuffle once x fit_multiple", calls: [.fitMultiple],
            matches: { $0.shuffle == "once" },
            refusal: { _ in ("corgi.fit_multiple does not offer shuffle \"once\"", "",
                             "Use corgipile (the default): it reaches a full shuffle's accuracy without the copy.") }),
        Row(combination: "segments x composed read", calls: [.train],
            matches: { $0.segments == true && $0.composed == true },
            refusal: { ("segments (model hopping) needs a source whose pages corgi reads directly, and \($0.source) is not one",
                        "Model hopping reads heap tables (no inheritance children, no row-level security for you) with plain feature and label columns of the accepted types.",
                        "Train on a plain table (CREATE TABLE ... AS SELECT), or leave segments out.") }),
        Row(combination: "early stopping x grouping", calls: [.train, .fitMultiple],
            matches: { $0.grouped == true && $0.earlyStopping == true },
            refusal: { _ in ("patience (early stopping) is not offered with grouping_cols yet", "",
                             "Leave patience out, or train the groups you want to stop early without grouping_cols.") }),
    ]

    /// The first row of the table the request matches, as its error; nil when offered.
    public static func refusal(for request: Request) -> Refusal? {
        for row in rows where row.calls.contains(request.call) && row.matches(request) {
            let (message, detail, hint) = row.refusal(request)
            return Refusal(combination: row.combination, message: message, detail: detail, hint: hint)
        }
        return nil
    }
}
