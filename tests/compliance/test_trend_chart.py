"""The trend chart: a pure function from (month end, met, applicable) points to inline SVG."""

import datetime
import xml.etree.ElementTree as ET

from lms.compliance.trend_chart import describe, percent, trend_rows, trend_svg

SVG = "{http://www.w3.org/2000/svg}"


def month_ends(count, start=(2025, 4)):
    year, month = start
    ends = []
    for _ in range(count):
        next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
        ends.append(datetime.date(next_year, next_month, 1) - datetime.timedelta(days=1))
        year, month = next_year, next_month
    return ends


def twelve_points():
    return [(on, index, 11) for index, on in enumerate(month_ends(12))]


def parse(svg):
    return ET.fromstring(str(svg))


def test_percent_rounds_half_up_and_is_none_when_nothing_applies():
    assert percent(1, 2) == 50
    assert percent(1, 8) == 13  # 12.5 rounds up
    assert percent(2, 3) == 67
    assert percent(0, 5) == 0
    assert percent(5, 5) == 100
    assert percent(0, 0) is None


def test_an_image_with_a_title_and_a_description():
    root = parse(trend_svg(twelve_points(), title="Riverside PCN: per cent met"))
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title.text == "Riverside PCN: per cent met"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "April 2025 to March 2026" in desc.text
    assert "Lowest 0% (April 2025), highest 100% (March 2026)" in desc.text
    assert "latest 100% (March 2026)" in desc.text


def test_one_point_per_month_and_every_month_labelled():
    points = twelve_points()
    root = parse(trend_svg(points))
    circles = root.findall(f".//{SVG}circle")
    assert len(circles) == 12
    assert circles[0].find(f"{SVG}title").text == "April 2025: 0% (0 of 11 met)"
    assert circles[-1].find(f"{SVG}title").text == "March 2026: 100% (11 of 11 met)"
    x_labels = [t.text for t in root.find(f"{SVG}g[@class='coordinate-trend-chart__x-axis']")]
    for month in ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb",
                  "Mar"):
        assert month in x_labels
    # The year under the first month and under January.
    assert x_labels.count("2025") == 1 and x_labels.count("2026") == 1


def test_per_cent_axis_labels():
    root = parse(trend_svg(twelve_points()))
    y_labels = [t.text for t in root.find(f"{SVG}g[@class='coordinate-trend-chart__y-axis']")
                .iter(f"{SVG}text")]
    assert y_labels == ["0%", "25%", "50%", "75%", "100%"]


def test_higher_per_cent_is_drawn_higher():
    points = [(on, met, 10) for on, met in zip(month_ends(3), (2, 5, 9), strict=True)]
    ys = [float(c.get("cy")) for c in parse(trend_svg(points)).iter(f"{SVG}circle")]
    assert ys[0] > ys[1] > ys[2]


def test_a_month_with_nothing_applicable_has_no_point_and_breaks_the_line():
    ends = month_ends(5)
    points = [(ends[0], 5, 10), (ends[1], 6, 10), (ends[2], 0, 0), (ends[3], 7, 10),
              (ends[4], 8, 10)]
    root = parse(trend_svg(points))
    assert len(root.findall(f".//{SVG}circle")) == 4
    assert len(root.findall(f".//{SVG}polyline")) == 2
    assert "1 month with nothing to count" in root.find(f"{SVG}desc").text


def test_nothing_applicable_at_all_and_no_points():
    root = parse(trend_svg([(on, 0, 0) for on in month_ends(3)]))
    assert root.findall(f".//{SVG}circle") == []
    assert "No requirement applied" in root.find(f"{SVG}desc").text
    assert describe([]) == "No months to show."
    assert parse(trend_svg([])).get("role") == "img"


def test_a_single_month_is_drawn_in_the_middle():
    root = parse(trend_svg([(month_ends(1)[0], 3, 4)]))
    (circle,) = root.iter(f"{SVG}circle")
    assert 330 < float(circle.get("cx")) < 350
    assert root.findall(f".//{SVG}polyline") == []


def test_the_title_is_escaped():
    svg = trend_svg(twelve_points(), title='<script>alert("x")</script> & PCN',
                    id_prefix='a"b')
    assert "<script>" not in svg
    root = parse(svg)  # still well-formed XML
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script> & PCN'


def test_table_rows_carry_the_same_numbers():
    rows = trend_rows([(month_ends(1)[0], 3, 4), (month_ends(2)[1], 0, 0)])
    assert rows[0] == {"month": datetime.date(2025, 4, 30), "met": 3, "applicable": 4,
                       "percent": 75}
    assert rows[1]["percent"] is None
