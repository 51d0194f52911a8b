import pytest

from berakhlak_research import regions
from berakhlak_research.exceptions import AmbiguousRegionError, UnknownRegionError


def test_reference_list_counts():
    g = regions.governments()
    assert len(g) == 552
    assert g["kind"].value_counts().to_dict() == {"kabupaten": 416, "kota": 98, "provinsi": 38}
    assert g["code"].is_unique
    assert g.set_index("code").loc["35.75", "name"] == "Kota Pasuruan"
    assert g.set_index("code").loc["35.14", "name"] == "Kabupaten Pasuruan"
    rr = g.loc[g["kind"] != "provinsi", "code"].str[3:].astype(int)
    kinds = g.loc[g["kind"] != "provinsi", "kind"]
    assert ((rr >= 71) == (kinds == "kota")).all()


@pytest.mark.parametrize(
    "text",
    ["35.75", "3575", "KOTA PASURUAN", "Kota Pasuruan", "Pasuruan, Kota", " kota  pasuruan "],
)
def test_resolve_kota_pasuruan(text):
    assert regions.resolve(text) == "35.75"


@pytest.mark.parametrize(
    "text, code",
    [
        ("Kabupaten Pasuruan", "35.14"),
        ("Kab. Pasuruan", "35.14"),
        ("Pasuruan, Kab.", "35.14"),
        ("Jawa Timur", "35"),
        ("Provinsi Jawa Timur", "35"),
        ("35", "35"),
        (3578, "35.78"),
        ("DKI Jakarta", "31"),
    ],
)
def test_resolve_other_forms(text, code):
    assert regions.resolve(text) == code


def test_bare_pasuruan_is_ambiguous_and_names_both():
    with pytest.raises(AmbiguousRegionError) as info:
        regions.resolve("Pasuruan")
    assert info.value.candidates == ("35.14", "35.75")
    msg = str(info.value)
    assert "35.14 Kabupaten Pasuruan" in msg and "35.75 Kota Pasuruan" in msg


def test_unknown_name_gets_suggestions():
    with pytest.raises(UnknownRegionError) as info:
        regions.resolve("Kota Surabya")
    assert "35.78" in info.value.candidates
    assert "Kota Surabaya" in str(info.value)


def test_unknown_code():
    with pytest.raises(UnknownRegionError, match="99.99"):
        regions.resolve("99.99")


def test_resolve_series_keeps_problems_aside():
    import pandas as pd

    codes, problems = regions.resolve_series(pd.Series(["3575", "Pasuruan", None, "Kota Pasuruan"]))
    assert codes.tolist()[0] == "35.75" and codes.tolist()[3] == "35.75"
    assert pd.isna(codes.iloc[1]) and "ambiguous" in problems.iloc[1]
    assert pd.isna(codes.iloc[2]) and pd.isna(problems.iloc[2])


def test_slug():
    assert regions.slug("35.75") == "35.75-kota-pasuruan"
