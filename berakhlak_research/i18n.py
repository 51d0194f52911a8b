"""Report text in Bahasa Indonesia (default) and English.

Every fixed string a report prints comes from :data:`STRINGS`, keyed by a short
name; :func:`t` picks the language. Names of values, behaviours, IKM elements
and bands come from :mod:`berakhlak_research.framework`, not from here.
"""

from __future__ import annotations

from berakhlak_research.exceptions import ParameterError
from berakhlak_research.framework import LANGUAGES

__all__ = ["STRINGS", "t", "check_lang"]

STRINGS: dict[str, tuple[str, str]] = {
    # titles and sections
    "report_title": ("Laporan Budaya Kerja BerAKHLAK", "BerAKHLAK Work Culture Report"),
    "wave": ("Tahun survei", "Survey year"),
    "sec_summary": ("Ringkasan", "Summary"),
    "sec_profile": ("Profil tujuh nilai", "Seven-value profile"),
    "sec_units": ("Unit kerja", "Work units"),
    "sec_weak": ("Perilaku terlemah dan prioritas", "Weakest behaviours and priorities"),
    "sec_programmes": (
        "Program penguatan budaya dan dampaknya",
        "Culture programmes and their effects",
    ),
    "sec_ikm": ("Kepuasan masyarakat (IKM)", "Public satisfaction (IKM)"),
    "sec_link": ("Hubungan budaya kerja dan IKM", "Link between work culture and IKM"),
    "sec_methods": ("Metode dan kualitas data", "Methods and data quality"),
    "sec_provenance": ("Asal-usul data", "Provenance"),
    "national_title": (
        "Gambaran Nasional Budaya Kerja BerAKHLAK",
        "National Overview of BerAKHLAK Work Culture",
    ),
    "intervention_title": ("Evaluasi Program Penguatan Budaya", "Evaluation of Culture Programmes"),
    "quality_title": ("Kualitas Pengukuran", "Measurement Quality"),
    "replication_title": ("Paket Replikasi", "Replication Package"),
    # summary rows
    "overall_index": ("Indeks BerAKHLAK", "BerAKHLAK index"),
    "category": ("Kategori", "Category"),
    "rank_kind": ("Peringkat di antara {kind}", "Rank among {kind}"),
    "rank_national": ("Peringkat nasional", "National rank"),
    "change": ("Perubahan sejak {prev}", "Change since {prev}"),
    "significant": ("signifikan", "significant"),
    "not_significant": ("tidak signifikan", "not significant"),
    "ikm": ("IKM", "IKM"),
    "ikm_band": ("Mutu pelayanan", "Service quality"),
    "item": ("Butir", "Item"),
    "figure_value": ("Nilai", "Value"),
    "of": ("dari", "of"),
    # column headers
    "col_value": ("Nilai", "Value"),
    "col_estimate": ("Indeks", "Index"),
    "col_ci": ("Selang kepercayaan 95%", "95% confidence interval"),
    "col_n": ("n", "n"),
    "col_peer_median": ("Median sejawat", "Peer median"),
    "col_peer_q75": ("Kuartil atas sejawat", "Peer upper quartile"),
    "col_category": ("Kategori", "Category"),
    "col_unit": ("Unit kerja", "Work unit"),
    "col_unit_code": ("Kode unit", "Unit code"),
    "col_behaviour": ("Perilaku", "Behaviour"),
    "col_code": ("Kode", "Code"),
    "col_priority": ("Prioritas", "Priority"),
    "col_importance": ("Kepentingan", "Importance"),
    "col_performance": ("Kinerja", "Performance"),
    "col_date": ("Tanggal", "Date"),
    "col_kind": ("Jenis kegiatan", "Programme"),
    "col_stage": ("Tahap", "Stage"),
    "col_hours": ("Jam pelajaran", "Hours"),
    "col_participants": ("Peserta", "Participants"),
    "col_scope": ("Cakupan", "Scope"),
    "whole_gov": ("Seluruh pemerintah daerah", "Whole government"),
    "col_estimator": ("Penduga", "Estimator"),
    "col_effect": ("Efek", "Effect"),
    "col_p": ("Nilai p", "p-value"),
    "col_ikm": ("IKM", "IKM"),
    "col_band": ("Mutu", "Band"),
    "col_element": ("Unsur", "Element"),
    "col_nrr": ("NRR", "NRR"),
    "col_nrr25": ("NRR x 25", "NRR x 25"),
    "col_path": ("Jalur", "Path"),
    "col_alpha": ("Alpha Cronbach", "Cronbach's alpha"),
    "col_omega": ("Omega", "Omega"),
    "col_required": ("Sampel minimal", "Required sample"),
    "col_respondents": ("Responden", "Respondents"),
    "col_population": ("Populasi", "Population"),
    "col_adequate": ("Memadai", "Adequate"),
    "col_table": ("Tabel", "Table"),
    "col_rows": ("Baris", "Rows"),
    "col_sha": ("SHA-256 (awal)", "SHA-256 (prefix)"),
    "col_written": ("Ditulis", "Written"),
    "col_government": ("Pemerintah daerah", "Government"),
    "col_gov_kind": ("Jenis", "Kind"),
    "col_text": ("Keterangan", "Note"),
    "col_rank": ("Peringkat nasional", "National rank"),
    "col_count": ("Jumlah", "Count"),
    "col_statistic": ("Statistik", "Statistic"),
    "col_level": ("Tingkat", "Level"),
    "col_event_time": ("Waktu relatif", "Event time"),
    "col_cohort": ("Kohort", "Cohort"),
    "col_fit": ("Indeks kecocokan", "Fit index"),
    "yes": ("ya", "yes"),
    "no": ("tidak", "no"),
    # notes
    "withheld": (
        "{k} unit dengan kurang dari {m} responden tidak ditampilkan (tetap dihitung dalam angka pemerintah daerah).",
        "{k} units with fewer than {m} respondents are withheld (they still count in the government's figures).",
    ),
    "no_data": ("Tidak ada data untuk bagian ini.", "No data for this section."),
    "no_table": (
        "Tabel hasil '{name}' belum tersedia di folder hasil.",
        "Results table '{name}' is not available in the results folder.",
    ),
    "did_note": (
        "Efek rata-rata program terhadap indeks budaya unit (jawaban diubah ke 0-100, poin indeks), diperkirakan dari seluruh "
        "pemerintah daerah; penduga bertahap (Callaway-Sant'Anna) tahan terhadap efek yang berbeda antar kohort, "
        "TWFE ditampilkan sebagai pembanding.",
        "Average effect of the programmes on the unit culture index (answers rescaled to 0-100, index "
        "points), estimated over all "
        "governments; the staggered (Callaway-Sant'Anna) estimator is robust to effects that differ by "
        "cohort, TWFE is shown for comparison.",
    ),
    "did_unit_clustered": (
        "Data memuat terlalu sedikit pemerintah daerah untuk menghitung selang kepercayaan per "
        "pemerintah daerah, sehingga selang dihitung per unit kerja; selang ini terlalu sempit "
        "bila unit-unit dalam satu pemerintah daerah mengalami guncangan yang sama.",
        "Too few governments are in the data to cluster the intervals by government, so they "
        "are clustered by work unit; they are too narrow if the units of a government share "
        "shocks.",
    ),
    "pretrend": ("Uji tren sebelum program: p = {p}", "Pre-trend test: p = {p}"),
    "scoring_note": (
        "Skor: persentase jawaban setuju (4-5 pada skala 1-5), nilai = rata-rata tiga perilakunya; "
        "indeks = rata-rata tujuh nilai. Bukan indeks resmi KemenPAN-RB.",
        "Scoring: percent favourable (answers 4-5 on the 1-5 scale), value = mean of its three "
        "behaviours; index = mean of the seven values. Not the official KemenPAN-RB index.",
    ),
    "link_note": (
        "Perubahan IKM (poin) per kenaikan 1 poin indeks budaya, antar unit kerja.",
        "Change in IKM (points) per 1 point of the culture index, across work units.",
    ),
    "generated": (
        "Dibuat oleh berakhlak-research {version}",
        "Produced by berakhlak-research {version}",
    ),
    "index_title": ("Laporan BerAKHLAK {wave}", "BerAKHLAK reports {wave}"),
    "index_counts": ("Jumlah pemerintah daerah per kategori", "Governments per category"),
    "index_report": ("laporan", "report"),
    "index_failed": ("gagal", "failed"),
    "index_missing": ("tanpa laporan", "no report"),
    # ------------------------------------------------------------------
    # exports, index page and PDF (issue 17, formats); keys added by the
    # report-content work go in their own block
    # ------------------------------------------------------------------
    "sheet_summary": ("Ringkasan", "Summary"),
    "sheet_value_profile": ("Profil nilai", "Value profile"),
    "sheet_units": ("Unit kerja", "Work units"),
    "sheet_weakest_behaviours": ("Perilaku terlemah", "Weakest behaviours"),
    "sheet_priorities": ("Prioritas", "Priorities"),
    "sheet_programmes": ("Program", "Programmes"),
    "sheet_programme_effects": ("Dampak program", "Programme effects"),
    "sheet_ikm_units": ("IKM unit kerja", "IKM by work unit"),
    "sheet_ikm_elements": ("Unsur IKM", "IKM elements"),
    "sheet_culture_ikm_link": ("Budaya kerja dan IKM", "Culture and IKM"),
    "sheet_value_chain": ("Rantai nilai", "Value chain"),
    "sheet_reliability": ("Reliabilitas", "Reliability"),
    "sheet_sample_adequacy": ("Kecukupan sampel", "Sample adequacy"),
    "sheet_provenance": ("Asal-usul data", "Provenance"),
    "sheet_national": ("Nasional", "National"),
    "sheet_category_counts": ("Jumlah per kategori", "Counts per category"),
    "sheet_descriptives": ("Statistik deskriptif", "Descriptives"),
    "sheet_did_overall": ("Dampak keseluruhan", "Overall effect"),
    "sheet_did_event_time": ("Dampak per waktu relatif", "Effect by event time"),
    "sheet_did_cohort": ("Dampak per kohort", "Effect by cohort"),
    "sheet_did_pretrend": ("Uji tren sebelum program", "Pre-trend test"),
    "sheet_cfa_fit": ("Kecocokan model CFA", "CFA fit"),
    "sheet_suppression": ("Data yang disembunyikan", "Suppressed data"),
    "sheet_notes": ("Catatan", "Notes"),
    "col_ci_low": ("Batas bawah SK 95%", "95% CI lower"),
    "col_ci_high": ("Batas atas SK 95%", "95% CI upper"),
    "col_se": ("Galat baku", "Standard error"),
    "col_element_code": ("Kode unsur", "Element code"),
    "col_total": ("Jumlah nilai", "Total score"),
    "col_gov_code": ("Kode pemerintah daerah", "Government code"),
    "col_term": ("Istilah", "Term"),
    "col_definition": ("Keterangan", "Definition"),
    "export_est_staggered_att": ("Bertahap (Callaway-Sant'Anna)", "Staggered (Callaway-Sant'Anna)"),
    "export_est_twfe": ("TWFE (efek tetap dua arah)", "TWFE (two-way fixed effects)"),
    "notes_index": (
        "Indeks dan nilai: persentase jawaban setuju (4-5 pada skala 1-5); nilai = rata-rata tiga "
        "perilakunya, indeks = rata-rata tujuh nilai (0-100). Bukan indeks resmi KemenPAN-RB.",
        "Index and values: percent favourable (answers 4-5 on the 1-5 scale); value = mean of its "
        "three behaviours, index = mean of the seven values (0-100). Not the official KemenPAN-RB index.",
    ),
    "notes_ci": (
        "Batas bawah dan atas selang kepercayaan 95%: rentang yang memuat nilai sebenarnya dengan "
        "keyakinan 95%, dengan memperhitungkan desain sampel.",
        "Lower and upper limits of the 95% confidence interval: the range holding the true value "
        "with 95% confidence, allowing for the sample design.",
    ),
    "notes_p": (
        "Nilai p: peluang memperoleh perbedaan sebesar ini bila sebenarnya tidak ada perbedaan; "
        "di bawah 0,05 disebut signifikan. Nilai di bawah 0,001 ditampilkan sebagai < 0,001.",
        "p-value: the chance of a difference this large if there were none; below 0.05 is called "
        "significant. Values below 0.001 show as < 0.001.",
    ),
    "notes_n": (
        "n: jumlah responden (atau unit) di balik angka.",
        "n: respondents (or units) behind the figure.",
    ),
    "notes_ikm": (
        "IKM: Indeks Kepuasan Masyarakat menurut PermenPANRB 14/2017 (NRR tertimbang x 25, 25-100) "
        "dengan mutu pelayanan A-D.",
        "IKM: public satisfaction index per PermenPANRB 14/2017 (weighted NRR x 25, 25-100) with "
        "service quality bands A-D.",
    ),
    "notes_suppression": (
        "Penyembunyian: kelompok dengan kurang dari {m} responden tidak ditampilkan dan tidak "
        "diekspor (tetap dihitung dalam angka pemerintah daerah). Tidak ada identitas responden.",
        "Suppression: groups with fewer than {m} respondents are neither shown nor exported (they "
        "still count in the government's figures). No respondent identifiers are included.",
    ),
    "notes_withheld": (
        "{sheet}: {k} kelompok disembunyikan (kurang dari {m} responden).",
        "{sheet}: {k} groups withheld (fewer than {m} respondents).",
    ),
    "lang_link": ("Versi Bahasa Indonesia", "English version"),
    "pdf_link": ("Unduh PDF", "Download PDF"),
    "index_link": ("Semua laporan", "All reports"),
    "index_lang": ("Bahasa Indonesia", "English"),
    "index_pdf": ("PDF", "PDF"),
    "index_figure": (
        "Sebaran indeks BerAKHLAK {n} pemerintah daerah; garis merah: pemerintah daerah terpilih "
        "(klik baris tabel untuk memilih).",
        "Distribution of the BerAKHLAK index of {n} governments; red line: the selected "
        "government (click a table row to select).",
    ),
    "index_selected": ("Terpilih", "Selected"),
    "index_sort": ("Klik judul kolom untuk mengurutkan.", "Click a column header to sort."),
    "notes_precision": (
        "Sel angka menyimpan presisi penuh; tampilan dibulatkan (1-3 desimal). Teks yang diawali "
        "= + - @ diberi awalan ' agar tidak dibaca sebagai rumus.",
        "Number cells keep full precision; the display is rounded (1-3 decimals). Text starting "
        "with = + - @ is prefixed with ' so it is never read as a formula.",
    ),
}
"""Fixed report strings: key -> (Indonesian, English)."""

# -- report content (issue 16): kept in its own block so catalogue additions merge apart --
STRINGS.update(
    {
        "synthetic_banner": (
            "DATA SINTETIS — angka dalam halaman ini dihasilkan oleh simulator untuk demonstrasi, "
            "bukan hasil survei nyata; nama pemerintah daerah dan unit hanya contoh.",
            "SYNTHETIC DATA — the numbers on this page were generated by the simulator for "
            "demonstration, not by a real survey; the government and unit names are examples only.",
        ),
        "census_ci": (
            "semua pegawai menjawab: tanpa galat sampling",
            "all staff responded: no sampling error",
        ),
        "col_census": ("Sensus (semua pegawai menjawab)", "Census (all staff responded)"),
        "unknown": ("tidak diketahui", "unknown"),
        "population_unknown": ("populasi tidak diketahui", "population unknown"),
        "sample_adequacy_note": (
            "Kecukupan sampel menyangkut responden SKM (pengguna layanan), dibandingkan dengan "
            "jumlah minimal Krejcie-Morgan untuk populasi pengguna layanan unit; bila populasi "
            "tidak diketahui, kecukupan tidak dapat dinilai.",
            "Sample adequacy concerns SKM respondents (service users), against the Krejcie-Morgan "
            "minimum for the unit's service population; where that population is unknown, "
            "adequacy cannot be judged.",
        ),
    }
)


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a report language, else raise :class:`ParameterError`."""
    if lang not in LANGUAGES:
        raise ParameterError(
            f"Report language {lang!r} is not supported; use 'id' (Bahasa Indonesia) or 'en' (English)."
        )
    return lang


def t(key: str, lang: str = "id", **fields) -> str:
    """The string ``key`` in ``lang``, with ``{fields}`` filled in.

    Parameters
    ----------
    key : str
        A key of :data:`STRINGS`.
    lang : {"id", "en"}
        Report language.
    **fields
        Values for the placeholders of the string.

    Returns
    -------
    str
        The text (plain, not HTML-escaped).
    """
    check_lang(lang)
    try:
        text = STRINGS[key][0 if lang == "id" else 1]
    except KeyError as err:
        raise ParameterError(f"No report string named {key!r}.") from err
    return text.format(**fields) if fields else text
