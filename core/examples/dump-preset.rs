//! Prints bundled presets' holidays as JSON lines, for scripts/check-presets.py:
//!
//! ```text
//! cargo run -p replyby-core --example dump-preset -- ID[,ID…] FROM TO
//! {"id":"jp","date":"2024-01-01","name":"元日"}
//! {"id":"sa","date":"2031-01-24","name":"…","estimated":true}
//! ```
//!
//! `ID` may be `all` for every bundled preset; `dump-preset --list` prints every id, one a
//! line. Exits 2 on bad arguments, 1 on an unknown id.

use chrono::NaiveDate;
use replyby_core::holidays::{preset_holidays, preset_list};
use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args == ["--list"] {
        for (id, _) in preset_list() {
            println!("{id}");
        }
        return;
    }
    let [ids, from, to] = args.as_slice() else {
        eprintln!("usage: dump-preset ID[,ID…]|all FROM TO, or dump-preset --list");
        std::process::exit(2);
    };
    let (Ok(from), Ok(to)) = (from.parse::<NaiveDate>(), to.parse::<NaiveDate>()) else {
        eprintln!("FROM and TO are dates YYYY-MM-DD");
        std::process::exit(2);
    };
    let ids: Vec<String> = if ids == "all" {
        preset_list().into_iter().map(|(id, _)| id.to_owned()).collect()
    } else {
        ids.split(',').map(str::to_owned).collect()
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for id in ids {
        let days = match preset_holidays(&id, from, to) {
            Ok(days) => days,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        };
        for day in days {
            let mut line = serde_json::json!({ "id": id, "date": day.date.to_string(), "name": day.name });
            if day.estimated {
                line["estimated"] = serde_json::Value::Bool(true);
            }
            let _ = writeln!(out, "{line}");
        }
    }
    let _ = out.flush();
}
