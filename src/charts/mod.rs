//! Small SVG charts of our own (a chart library doubled a bare app's size when measured). Each
//! has a `<title>` per mark for tooltips and a text alternative for screen readers.

pub mod bars;
pub mod columns;
