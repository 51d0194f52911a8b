import pytest

from berakhlak_research import framework as fw
from berakhlak_research.exceptions import FrameworkError


def test_seven_values_in_fixed_order_with_three_behaviours_each():
    assert fw.VALUE_CODES == ("BP", "AK", "KP", "HM", "LY", "AD", "KB")
    assert len(fw.BEHAVIOURS) == 21
    assert fw.BEHAVIOUR_CODES[:3] == ("BP1", "BP2", "BP3")
    assert fw.BEHAVIOUR_CODES[-1] == "KB3"
    for v in fw.VALUE_CODES:
        assert fw.behaviours_of(v) == tuple(f"{v}{i}" for i in (1, 2, 3))
    assert fw.VALUES[5].name_id == "Adaptif"
    assert all(b.text_id and b.text_en for b in fw.BEHAVIOURS)
    with pytest.raises(FrameworkError, match="XX"):
        fw.behaviours_of("XX")


def test_ikm_elements_2017_and_2004():
    assert fw.IKM_ELEMENT_CODES == tuple(f"U{i}" for i in range(1, 10))
    names = {e.code: e.name_id for e in fw.IKM_ELEMENTS_2017}
    assert names["U1"] == "Persyaratan"
    assert names["U8"] == "Penanganan Pengaduan, Saran dan Masukan"
    assert names["U9"] == "Sarana dan Prasarana"
    assert all(len(e.labels_id) == 4 and len(e.labels_en) == 4 for e in fw.IKM_ELEMENTS_2017)
    assert fw.IKM_ELEMENTS_2017[3].labels_id == ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")
    assert len(fw.ikm_elements("2004")) == 14
    with pytest.raises(FrameworkError, match="2017"):
        fw.ikm_elements("2020")


@pytest.mark.parametrize(
    "score, code, label_id",
    [
        (25.0, "D", "Tidak Baik"),
        (64.99, "D", "Tidak Baik"),
        (65.00, "C", "Kurang Baik"),
        (76.60, "C", "Kurang Baik"),
        (76.61, "B", "Baik"),
        (88.30, "B", "Baik"),
        (88.31, "A", "Sangat Baik"),
        (91.48, "A", "Sangat Baik"),
        (100.0, "A", "Sangat Baik"),
    ],
)
def test_ikm_band_2017_boundaries(score, code, label_id):
    band = fw.ikm_band(score)
    assert (band.code, band.label_id) == (code, label_id)


@pytest.mark.parametrize(
    "score, code",
    [
        (25.0, "D"),
        (43.75, "D"),
        (43.76, "C"),
        (62.50, "C"),
        (62.51, "B"),
        (81.25, "B"),
        (81.26, "A"),
        (100.0, "A"),
    ],
)
def test_ikm_band_2004_edges(score, code):
    assert fw.ikm_band(score, method="2004").code == code


@pytest.mark.parametrize(
    "value, code",
    [(2.5996, "D"), (2.60, "C"), (3.064, "C"), (3.0644, "B"), (3.532, "B"), (3.5324, "A")],
)
def test_ikm_interval_table_matches_converted_cutoffs(value, code):
    assert fw.ikm_interval_band(value).code == code


@pytest.mark.parametrize(
    "score, code, label_id",
    [
        (39.8, "C", "Tidak Sehat"),
        (61.8, "B", "Cukup Sehat"),
        (74.4, "B", "Cukup Sehat"),
        (74.9, "B", "Cukup Sehat"),
        (75.0, "A", "Sehat"),
        (78.0, "A", "Sehat"),
        (50.0, "B", "Cukup Sehat"),
        (49.99, "C", "Tidak Sehat"),
        (25.0, "C", "Tidak Sehat"),
    ],
)
def test_culture_category(score, code, label_id):
    band = fw.culture_category(score)
    assert (band.code, band.label_id, band.confirmed) == (code, label_id, True)


def test_culture_category_below_25_is_flagged_unconfirmed():
    band = fw.culture_category(24.9)
    assert band.code == "D" and band.confirmed is False
    assert "unconfirmed" in fw.label(band, "en")


def test_labels_in_both_languages_and_bad_input():
    assert fw.label(fw.ikm_band(91.48), "en") == "Very good"
    assert fw.label(fw.culture_category(39.8), "en") == "Unhealthy"
    with pytest.raises(FrameworkError, match="language"):
        fw.label(fw.ikm_band(91.48), "fr")
    with pytest.raises(FrameworkError, match="outside"):
        fw.ikm_band(101)
    with pytest.raises(FrameworkError, match="outside"):
        fw.ikm_band(24.0)
    with pytest.raises(FrameworkError, match="number"):
        fw.culture_category("tinggi")
    with pytest.raises(FrameworkError, match="method"):
        fw.ikm_band(80, method="2010")


def test_stages_likert_and_kinds():
    assert [s.number for s in fw.STAGES] == list(range(1, 8))
    assert fw.STAGES[0].name_id == "Internalisasi"
    assert fw.STAGES[-1].name_id == "Penguatan berkelanjutan"
    assert fw.LIKERT_LABELS[5]["id"][-1] == "Sangat Setuju"
    assert fw.favourable_threshold(5) == 4
    assert set(fw.GOVERNMENT_KINDS) == {"provinsi", "kabupaten", "kota"}
