/// Aligns rows of cells into columns for the text output: numbers right-aligned, words left.
struct InspectTable {
    /// Column titles.
    var header: [String]
    /// Which columns hold numbers (right-aligned).
    var numeric: Set<Int>
    /// The rows, one cell per column.
    var rows: [[String]] = []

    /// The table as lines, two spaces between columns, no trailing spaces.
    func lines() -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            let cells = row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return numeric.contains(column) ? pad + cell : cell + pad
            }
            return String(cells.joined(separator: "  ").reversed().drop { $0 == " " }.reversed())
        }
    }
}
