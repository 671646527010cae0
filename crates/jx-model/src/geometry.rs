//! Points and axis-aligned rectangles in page space (points, y down).

use serde::{Deserialize, Serialize};

/// A point in page space.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

/// An axis-aligned rectangle; `x0 <= x1` and `y0 <= y1` (y grows downwards).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Rect {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rect {
    /// A rectangle from two corners in any order.
    pub fn new(xa: f32, ya: f32, xb: f32, yb: f32) -> Self {
        Rect {
            x0: xa.min(xb),
            y0: ya.min(yb),
            x1: xa.max(xb),
            y1: ya.max(yb),
        }
    }

    pub fn width(&self) -> f32 {
        self.x1 - self.x0
    }

    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }

    pub fn center(&self) -> Point {
        Point {
            x: (self.x0 + self.x1) / 2.0,
            y: (self.y0 + self.y1) / 2.0,
        }
    }

    /// The smallest rectangle holding both.
    pub fn union(&self, other: &Rect) -> Rect {
        Rect {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
        }
    }

    /// Area of the overlap (0 when disjoint).
    pub fn intersection_area(&self, other: &Rect) -> f32 {
        let w = self.x1.min(other.x1) - self.x0.max(other.x0);
        let h = self.y1.min(other.y1) - self.y0.max(other.y0);
        if w <= 0.0 || h <= 0.0 { 0.0 } else { w * h }
    }

    pub fn area(&self) -> f32 {
        self.width().max(0.0) * self.height().max(0.0)
    }

    pub fn contains(&self, p: Point) -> bool {
        p.x >= self.x0 && p.x <= self.x1 && p.y >= self.y0 && p.y <= self.y1
    }

    /// Length of the overlap of the two x-ranges (negative when apart).
    pub fn x_overlap(&self, other: &Rect) -> f32 {
        self.x1.min(other.x1) - self.x0.max(other.x0)
    }

    /// Length of the overlap of the two y-ranges (negative when apart).
    pub fn y_overlap(&self, other: &Rect) -> f32 {
        self.y1.min(other.y1) - self.y0.max(other.y0)
    }

    /// Points per pixel, horizontally and vertically, of a `width × height`
    /// image that covers this rectangle (its frame).
    pub fn points_per_pixel(&self, width: usize, height: usize) -> (f32, f32) {
        (
            self.width() / width.max(1) as f32,
            self.height() / height.max(1) as f32,
        )
    }

    /// Pixel position `(px, py)` of a `width × height` image that covers
    /// this rectangle, in page points.
    pub fn pixel_to_page(&self, width: usize, height: usize, px: f32, py: f32) -> Point {
        let (sx, sy) = self.points_per_pixel(width, height);
        Point {
            x: self.x0 + px * sx,
            y: self.y0 + py * sy,
        }
    }

    /// The box rounded to 0.01 pt, for deterministic output.
    pub fn rounded(&self) -> [f64; 4] {
        let r = |v: f32| (f64::from(v) * 100.0).round() / 100.0;
        [r(self.x0), r(self.y0), r(self.x1), r(self.y1)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_orders_corners() {
        let r = Rect::new(10.0, 20.0, 0.0, 5.0);
        assert_eq!((r.x0, r.y0, r.x1, r.y1), (0.0, 5.0, 10.0, 20.0));
    }

    #[test]
    fn overlap_and_union() {
        let a = Rect::new(0.0, 0.0, 10.0, 10.0);
        let b = Rect::new(5.0, 5.0, 20.0, 8.0);
        assert_eq!(a.intersection_area(&b), 15.0);
        assert_eq!(a.union(&b), Rect::new(0.0, 0.0, 20.0, 10.0));
        assert_eq!(a.x_overlap(&b), 5.0);
        assert!(Rect::new(0.0, 0.0, 1.0, 1.0).x_overlap(&Rect::new(3.0, 0.0, 4.0, 1.0)) < 0.0);
    }
}
