import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How frames reach the terminal: redrawn in place with ANSI escapes (home,
/// clear to end of line and of screen; no curses) when stdout is a
/// terminal, or printed as plain-text snapshots for logs and pipes.
struct DemoTerminal {
    let live: Bool

    static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 }

    /// Columns and rows of the terminal, when stdout is one.
    static func size() -> (columns: Int, rows: Int)? {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return nil }
        return (Int(size.ws_col), Int(size.ws_row))
    }

    /// Rows available to a frame; nil in plain mode.
    var height: Int? { live ? Self.size()?.rows ?? 40 : nil }

    /// Clears the screen and hides the cursor before the first frame.
    func begin() {
        if live { write("\u{1B}[?25l\u{1B}[2J") }
    }

    /// Draws a frame: in place, each line cut to the terminal's width; or
    /// as a plain snapshot headed by `title`.
    func draw(_ lines: [String], title: String) {
        guard live else {
            write((["--- \(title) ---"] + lines + [""]).joined(separator: "\n") + "\n")
            return
        }
        let (columns, rows) = Self.size() ?? (120, 40)
        let visible = lines.prefix(rows).map { String($0.prefix(columns)) }
        write("\u{1B}[H" + visible.joined(separator: "\u{1B}[K\n") + "\u{1B}[K\u{1B}[J")
    }

    /// Clears the live view and shows the cursor again, leaving a clean
    /// screen for the summary.
    func end() {
        if live { write("\u{1B}[H\u{1B}[2J\u{1B}[?25h") }
    }

    /// Prints lines as they are (the summary).
    func print(_ lines: [String]) {
        write(lines.joined(separator: "\n") + "\n")
    }

    /// Shows the cursor again after an abrupt exit.
    static func restoreCursor() {
        if standardOutputIsTerminal { FileHandle.standardOutput.write(Data("\u{1B}[?25h\n".utf8)) }
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
