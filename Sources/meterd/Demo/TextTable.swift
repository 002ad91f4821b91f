/// A plain-text table: a header row and data rows in columns separated by
/// two spaces, each column as wide as its widest cell; the first column is
/// left-aligned, the others right-aligned (they hold numbers).
struct TextTable {
    var header: [String]
    var rows: [[String]] = []
    /// Columns aligned left besides the first (e.g. a plan or type name).
    var leftAligned: Set<Int> = [0]

    init(header: [String], leftAligned: Set<Int> = [0]) {
        self.header = header
        self.leftAligned = leftAligned
    }

    mutating func append(_ row: [String]) {
        rows.append(row)
    }

    var lines: [String] {
        let all = [header] + rows
        let columns = all.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in all.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            (0..<columns).map { column in
                let cell = column < row.count ? row[column] : ""
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return leftAligned.contains(column) ? cell + padding : padding + cell
            }
            .joined(separator: "  ")
            .trimmingTrailingSpaces()
        }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
