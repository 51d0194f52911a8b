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
    "col_aggregation": ("Tingkat", "Level"),
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
    "sheet_published": ("Indeks terbit", "Published index"),
    "sheet_service_priorities": ("Prioritas layanan", "Service priorities"),
    "sheet_stage_progress": ("Kemajuan tahapan", "Stage progress"),
    "sheet_culture_ikm_models": ("Model budaya dan IKM", "Culture and IKM models"),
    "sheet_summary_text": ("Ringkasan eksekutif", "Executive summary"),
    "sheet_next_steps": ("Langkah berikutnya", "Next steps"),
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
        "est_staggered": ("Bertahap (Callaway-Sant'Anna)", "Staggered (Callaway-Sant'Anna)"),
        "est_twfe": ("TWFE (pembanding)", "TWFE (comparison)"),
        "col_pooled": ("Cakupan estimasi", "Estimated over"),
        "pooled_over": ("gabungan {g} pemerintah daerah", "pooled over {g} governments"),
        "pooled_note": (
            "Efek ini gabungan atas {g} pemerintah daerah dalam data, bukan efek khusus {name}: "
            "unit satu pemerintah daerah terlalu sedikit untuk membandingkan tahun sesudah "
            "program dengan tahun belum-program. n = unit-tahun yang dipakai: penduga bertahap "
            "hanya memakai unit-tahun sesudah program beserta pembanding yang belum "
            "diintervensi, TWFE memakai semua unit-tahun.",
            "This effect is pooled over the {g} governments in the data, not {name}'s own: one "
            "government's units are too few to compare programme years with years before it. "
            "n = unit-years used: the staggered estimator uses only the unit-years after a "
            "programme and their not-yet-treated comparisons, TWFE uses every unit-year.",
        ),
        "few_clusters_note": (
            "Hanya {g} pemerintah daerah (kurang dari 20): dengan sedikit klaster, selang dan "
            "nilai p kurang dapat diandalkan.",
            "Only {g} governments (fewer than 20): with few clusters the intervals and p-values "
            "are less reliable.",
        ),
        "few_clusters_wild": (
            "Hanya {g} pemerintah daerah (kurang dari 20): selang dan nilai p berasal dari wild "
            "cluster bootstrap per pemerintah daerah, yang dirancang untuk sedikit klaster; tetap "
            "baca dengan hati-hati.",
            "Only {g} governments (fewer than 20): the intervals and p-values come from a wild "
            "cluster bootstrap over governments, designed for few clusters; read them with "
            "care all the same.",
        ),
        "and": ("dan", "and"),
        "col_topic": ("Topik", "Topic"),
        "col_step": ("Langkah", "Step"),
        "and_more": (" dan {k} lainnya", " and {k} more"),
        "sec_next_steps": ("Langkah berikutnya", "Next steps"),
        "sum_index": (
            "Indeks BerAKHLAK {name} tahun {wave} adalah {est} (selang kepercayaan 95% {ci}), "
            "kategori {cat}.",
            "{name}'s BerAKHLAK index in {wave} is {est} (95% confidence interval {ci}), "
            "category {cat}.",
        ),
        "sum_rank": (
            "Peringkatnya {rk} dari {nk} {kind} dan {rn} dari {nn} pemerintah daerah dalam data.",
            "It ranks {rk} of {nk} among {kind} governments and {rn} of {nn} governments in the "
            "data.",
        ),
        "sum_change_up": (
            "Sejak {prev} indeks naik {abs} poin (selang 95% {ci}), perubahan yang signifikan "
            "(p {p}).",
            "Since {prev} the index rose by {abs} points (95% interval {ci}), a significant "
            "change (p {p}).",
        ),
        "sum_change_down": (
            "Sejak {prev} indeks turun {abs} poin (selang 95% {ci}), perubahan yang signifikan "
            "(p {p}).",
            "Since {prev} the index fell by {abs} points (95% interval {ci}), a significant "
            "change (p {p}).",
        ),
        "sum_change_same": (
            "Sejak {prev} indeks tidak berubah secara signifikan (selisih {abs} poin, selang "
            "95% {ci}, p {p}).",
            "Since {prev} the index has not changed significantly (a difference of {abs} "
            "points, 95% interval {ci}, p {p}).",
        ),
        "sum_values": (
            "Nilai terkuat adalah {best} ({bv}; median sejawat {bm}), yang terlemah {worst} "
            "({wv}; median sejawat {wm}).",
            "The strongest value is {best} ({bv}; peer median {bm}), the weakest {worst} "
            "({wv}; peer median {wm}).",
        ),
        "sum_behaviours": (
            "Perilaku dengan skor terendah, yang perlu dibenahi: {items}.",
            "The lowest-scoring behaviours, the ones to work on: {items}.",
        ),
        "sum_ikm": (
            "Indeks Kepuasan Masyarakat (IKM) tahun {wave} adalah {est} (selang 95% {ci}), "
            "mutu pelayanan {band}.",
            "Public satisfaction (IKM) in {wave} is {est} (95% interval {ci}), service "
            "quality {band}.",
        ),
        "sum_elements": (
            "Unsur pelayanan dengan kepentingan tertinggi bagi kepuasan: {items} (seluruh {k} "
            "unsur berkisar {lo}-{hi} %).",
            "The service elements with the highest importance for satisfaction: {items} (all "
            "{k} range from {lo} to {hi} %).",
        ),
        "sum_elements_none": (
            "Tidak ada unsur pelayanan yang menonjol kepentingannya bagi kepuasan: seluruh {k} "
            "unsur berkisar {lo}-{hi} % dan selangnya memuat porsi rata-rata.",
            "No service element stands out in importance for satisfaction: all {k} range from "
            "{lo} to {hi} % and their intervals hold the equal share.",
        ),
        "sum_stage": (
            "Dari tujuh tahap penguatan budaya, {k} telah dicapai; tahap pertama yang belum "
            "dicapai adalah tahap {n}, {stage}.",
            "Of the seven stages of culture strengthening, {k} have been reached; the first not "
            "yet reached is stage {n}, {stage}.",
        ),
        "sum_stage_all": (
            "Ketujuh tahap penguatan budaya telah dicapai.",
            "All seven stages of culture strengthening have been reached.",
        ),
        "next_value": (
            "Perkuat {value}, nilai terlemah ({est}; median sejawat {med}), mulai dari "
            "perilakunya: {items}.",
            "Strengthen {value}, the weakest value ({est}; peer median {med}), starting with "
            "its behaviours {items}.",
        ),
        "next_units": (
            "{k} dari {n} unit yang ditampilkan di bawah median sejawat ({med}): {units}.",
            "{k} of the {n} units shown are below the peer median ({med}): {units}.",
        ),
        "next_units_none": (
            "Semua unit yang ditampilkan setara atau di atas median sejawat ({med}).",
            "Every unit shown is at or above the peer median ({med}).",
        ),
        "next_service": (
            "Dalam pelayanan, mulai dari {element} (skor {score}), unsur yang paling "
            "menentukan kepuasan.",
            "In services, start with {element} (score {score}), the element that matters most "
            "for satisfaction.",
        ),
        "next_service_lowest": (
            "Dalam pelayanan, tidak ada unsur yang menonjol kepentingannya; mulai dari skor "
            "terendah, {element} ({score}).",
            "In services no element stands out in importance; start with the lowest score, "
            "{element} ({score}).",
        ),
        "next_stage": (
            "Siapkan tahap penguatan budaya berikutnya: {n}. {stage}.",
            "Prepare the next stage of culture strengthening: {n}. {stage}.",
        ),
        "col_slope": ("Poin IKM per poin indeks budaya", "IKM points per culture-index point"),
        "col_model": ("Model", "Model"),
        "sec_link_models": (
            "Model budaya-IKM lainnya",
            "Other culture-IKM models",
        ),
        "model_within_unit": ("Dalam unit (utama)", "Within unit (primary)"),
        "model_within_unit_joint": (
            "Dalam unit, tujuh nilai bersama",
            "Within unit, seven values jointly",
        ),
        "model_within_unit_lag1": (
            "Dalam unit, budaya satu gelombang sebelumnya",
            "Within unit, culture one wave earlier",
        ),
        "model_cross_level": ("Lintas tingkat (responden SKM)", "Cross-level (SKM respondents)"),
        "link_sentence": (
            "Membaca model utama ({model}): satu poin indeks budaya lebih tinggi sejalan dengan "
            "{x} poin IKM lebih tinggi (selang 95% {lo}-{hi}), membandingkan unit dengan "
            "dirinya sendiri antar tahun; 10 poin budaya sejalan dengan sekitar {ten} poin IKM. "
            "Dihitung atas {n} unit-tahun seluruh pemerintah daerah; ini hubungan, bukan bukti "
            "sebab-akibat.",
            "Reading the primary model ({model}): one point more culture index goes with {x} "
            "IKM points more (95% interval {lo}-{hi}), comparing each unit with itself over "
            "the years; 10 culture points go with about {ten} IKM points. Estimated over {n} "
            "unit-years of all governments; an association, not proof of cause.",
        ),
        "model_note_within_unit": (
            "Dalam unit (utama): IKM unit terhadap indeks budayanya sendiri antar gelombang "
            "(efek tetap unit dan tahun), satu nilai per model; {n} unit-tahun.",
            "Within unit (primary): a unit's IKM against its own culture index over the waves "
            "(unit and year fixed effects), one value per model; {n} unit-years.",
        ),
        "model_note_within_unit_joint": (
            "Dalam unit, tujuh nilai bersama: kemiringan tiap nilai dengan nilai lain "
            "dikendalikan, sehingga lebih kecil; {n} unit-tahun.",
            "Within unit, seven values jointly: each value's slope holding the other six "
            "fixed, hence smaller; {n} unit-years.",
        ),
        "model_note_within_unit_lag1": (
            "Dalam unit, budaya satu gelombang sebelumnya: IKM tahun ini terhadap budaya tahun "
            "lalu; hanya unit-tahun dengan gelombang sebelumnya ({n}). Dengan efek tetap unit "
            "dan sedikit gelombang, kemiringan ini bias bila IKM pada gilirannya memengaruhi "
            "budaya berikutnya (bahkan bisa negatif); ini pemeriksaan, bukan hasil utama.",
            "Within unit, culture one wave earlier: this year's IKM against last year's "
            "culture; only unit-years with a previous wave ({n}). With unit fixed effects over "
            "few waves this slope is biased if IKM in turn affects later culture (it can even "
            "turn negative); a check, not the main result.",
        ),
        "model_note_cross_level": (
            "Lintas tingkat: kepuasan tiap responden SKM terhadap indeks budaya unit yang "
            "melayaninya (model campuran); n = {n} responden.",
            "Cross-level: each SKM respondent's satisfaction against the culture index of the "
            "unit that served them (mixed model); n = {n} respondents.",
        ),
        "path_a": ("Program → budaya (a)", "Programme → culture (a)"),
        "path_b": (
            "Budaya → IKM, program dikendalikan (b)",
            "Culture → IKM, holding the programme (b)",
        ),
        "path_direct": (
            "Program → IKM tidak melalui budaya (langsung)",
            "Programme → IKM not through culture (direct)",
        ),
        "path_indirect": (
            "Program → budaya → IKM (tidak langsung = a × b)",
            "Programme → culture → IKM (indirect = a × b)",
        ),
        "path_total": ("Program → IKM seluruhnya (total)", "Programme → IKM in all (total)"),
        "sec_mediation": (
            "Jalur program → budaya → IKM (mediasi)",
            "Path programme → culture → IKM (mediation)",
        ),
        "indirect_share_note": (
            "Sekitar {share} % efek total program terhadap IKM ({tot} poin) melalui budaya "
            "kerja (tidak langsung {ind} poin); gabungan seluruh pemerintah daerah dalam data.",
            "About {share} % of the programme's total effect on IKM ({tot} points) runs "
            "through work culture (indirect {ind} points); pooled over all governments in the "
            "data.",
        ),
        "mediation_ri_note": (
            "Uji randomisasi atas waktu program di {g} pemerintah daerah: p {p_ind} untuk "
            "efek tidak langsung dan p {p_tot} untuk efek total; uji ini tetap sahih walau "
            "jumlah pemerintah daerah sedikit.",
            "Randomisation test over the programme timing of {g} governments: p {p_ind} for "
            "the indirect effect and p {p_tot} for the total effect; the test stays valid "
            "with few governments.",
        ),
        "med_programme": ("Program budaya", "Culture programme"),
        "med_culture": ("Budaya kerja (indeks)", "Work culture (index)"),
        "med_ikm": ("IKM", "IKM"),
        "med_direct": ("langsung", "direct"),
        "med_share": (
            "tidak langsung a × b = {ind}; total = {tot}; {share} % melalui budaya",
            "indirect a × b = {ind}; total = {tot}; {share} % through culture",
        ),
        "prio_concentrate": (
            "kepentingan tinggi, skor rendah — prioritas utama",
            "high importance, low score — top priority",
        ),
        "prio_keep_up": (
            "kepentingan tinggi, skor tinggi — pertahankan",
            "high importance, high score — keep it up",
        ),
        "prio_low": (
            "kepentingan rendah, skor rendah — prioritas berikutnya",
            "low importance, low score — next in line",
        ),
        "prio_overkill": (
            "kepentingan rendah, skor tinggi — cukup dipertahankan",
            "low importance, high score — maintain",
        ),
        "prio_unclear": (
            "kepentingan setara rata-rata (selang memuat porsi rata-rata): belum "
            "dapat diprioritaskan",
            "importance about average (the interval holds "
            "the equal share): no priority from these data",
        ),
        "prio_no_interval": (
            "tanpa selang kepentingan: tidak diklasifikasikan",
            "no interval for the importance: not classified",
        ),
        "prio_scoring_culture": (
            "Kepentingan = porsi nilai dalam varians IKM unit yang dijelaskan (dekomposisi "
            "Shapley/LMG atas R² tujuh nilai), dengan selang bootstrap 95%; porsi rata-rata "
            "1/{k} = {eq} %. Skor = rata-rata indeks unit (rata-rata jawaban, 0-100) pada "
            "gelombang terakhir, bukan persentase setuju. Prioritas hanya bila selang tidak "
            "memuat porsi rata-rata.",
            "Importance = the value's share of the explained variance of unit IKM (Shapley/LMG "
            "decomposition of R² over the seven values), with a 95% bootstrap interval; the "
            "equal share is 1/{k} = {eq} %. Score = mean unit index (mean answer, 0-100) in the "
            "latest wave, not percent favourable. A priority is given only where the interval "
            "excludes the equal share.",
        ),
        "prio_scoring_ikm": (
            "Kepentingan = porsi unsur dalam varians skor kepuasan responden (rata-rata "
            "sembilan unsur x 25; dekomposisi Shapley/LMG), dengan selang bootstrap 95%; porsi "
            "rata-rata 1/{k} = {eq} %. Skor = NRR unsur x 25. Prioritas hanya bila selang "
            "tidak memuat porsi rata-rata.",
            "Importance = the element's share of the variance of a respondent's satisfaction "
            "score (mean of the nine elements x 25; Shapley/LMG decomposition), with a 95% "
            "bootstrap interval; the equal share is 1/{k} = {eq} %. Score = the element's NRR "
            "x 25. A priority is given only where the interval excludes the equal share.",
        ),
        "sec_culture_priorities": (
            "Nilai budaya sebagai penggerak IKM",
            "Culture values as drivers of IKM",
        ),
        "sec_service_priorities": (
            "Unsur pelayanan sebagai penggerak kepuasan",
            "Service elements as drivers of satisfaction",
        ),
        "sec_published": (
            "Indeks resmi dan estimasi survei ini",
            "The official index and this survey's estimate",
        ),
        "col_published": ("Indeks resmi", "Official index"),
        "col_ours": ("Estimasi survei ini", "This survey's estimate"),
        "col_difference": ("Selisih (survei - resmi)", "Difference (survey - official)"),
        "col_published_n": ("Responden (resmi)", "Respondents (official)"),
        "published_note": (
            "Indeks resmi diterbitkan KemenPAN-RB dari instrumennya sendiri (berbasis pilihan "
            "perilaku, butir dan bobotnya tidak publik) dan sampelnya sendiri; estimasi survei "
            "ini adalah persentase jawaban setuju pada skala Likert atas 21 perilaku. "
            "Keduanya mengukur hal yang berkaitan tetapi tidak sama, jadi selisih bukan "
            "kesalahan salah satunya; indeks resmi tidak dihitung ulang di sini.",
            "The official index is published by KemenPAN-RB from its own instrument (vote-based; "
            "its items and weights are not public) and its own sample; this survey's estimate is "
            "percent favourable on Likert answers to the 21 behaviours. The two measure related "
            "but different things, so a difference is no error in either; the official index is "
            "not recomputed here.",
        ),
        "sec_trends": ("Tren antar gelombang", "Trends across waves"),
        "sec_changes": ("Perubahan sejak gelombang sebelumnya", "Change since the previous wave"),
        "sec_behaviour_changes": ("Perubahan per perilaku", "Change per behaviour"),
        "sec_unit_changes": ("Perubahan per unit kerja", "Change per work unit"),
        "trend_up": ("naik", "increase"),
        "trend_down": ("turun", "decrease"),
        "trend_same": ("tidak berubah", "no change"),
        "trend_na": ("—", "—"),
        "col_item": ("Butir", "Item"),
        "col_previous_wave": ("Gelombang sebelumnya", "Previous wave"),
        "col_previous": ("Sebelumnya", "Previous"),
        "col_current": ("Sekarang", "Now"),
        "col_change": ("Perubahan", "Change"),
        "col_change_ci": ("Selang 95% perubahan", "95% interval of the change"),
        "col_decision": ("Keputusan", "Decision"),
        "trend_note": (
            "Perubahan diuji sebagai selisih dua estimasi independen (responden berbeda tiap "
            "gelombang), uji z dua arah; 'naik'/'turun' bila p < {alpha}, selain itu 'tidak "
            "berubah'. Kelompok dengan kurang dari batas responden di salah satu gelombang "
            "tidak dibandingkan.",
            "Changes are tested as the difference of two independent estimates (different "
            "respondents each wave), two-sided z-test; 'increase'/'decrease' where p < {alpha}, "
            "otherwise 'no change'. Groups under the respondent threshold in either wave are not "
            "compared.",
        ),
        "sec_items": ("Hasil per perilaku (21 butir)", "Results per behaviour (21 items)"),
        "sec_response": (
            "Tingkat respons dan kelompok responden",
            "Response rates and respondent groups",
        ),
        "col_unfavourable": ("Tidak setuju (1-2) %", "Unfavourable (1-2) %"),
        "col_neutral": ("Netral (3) %", "Neutral (3) %"),
        "col_favourable": ("Setuju (4-5) %", "Favourable (4-5) %"),
        "col_headcount": ("Jumlah pegawai", "Staff headcount"),
        "col_rate": ("Tingkat respons %", "Response rate %"),
        "col_dimension": ("Karakteristik", "Characteristic"),
        "col_group": ("Kelompok", "Group"),
        "items_note": (
            "Persentase jawaban per perilaku: tidak setuju (1-2), netral (3), setuju (4-5); "
            "median dan kuartil atas sejawat adalah persentase setuju pemerintah daerah "
            "sejenis pada gelombang yang sama.",
            "Share of answers per behaviour: unfavourable (1-2), neutral (3), favourable "
            "(4-5); the peer median and upper quartile are the favourable share of governments "
            "of the same kind in the same wave.",
        ),
        "col_stage_no": ("No. tahap", "Stage no."),
        "col_reached_flag": ("Tercapai (ya/tidak)", "Reached (true/false)"),
        "sheet_summary_text": ("Ringkasan naratif", "Summary in words"),
        "sheet_next_steps": ("Langkah berikutnya", "Next steps"),
        "sheet_published": ("Indeks resmi", "Official index"),
        "sheet_changes": ("Perubahan nilai", "Change by value"),
        "sheet_behaviour_changes": ("Perubahan perilaku", "Change by behaviour"),
        "sheet_unit_changes": ("Perubahan unit", "Change by unit"),
        "sheet_item_results": ("Hasil per perilaku", "Item results"),
        "sheet_response_rates": ("Tingkat respons", "Response rates"),
        "sheet_demographics": ("Kelompok responden", "Respondent groups"),
        "sheet_stage_progress": ("Tahap penguatan", "Culture stages"),
        "sheet_service_priorities": ("Prioritas pelayanan", "Service priorities"),
        "sheet_culture_ikm_models": ("Model budaya-IKM", "Culture-IKM models"),
        "sheet_trend": ("Tren", "Trend"),
        "col_reached": ("Tercapai", "Reached"),
        "not_yet": ("belum", "not yet"),
        "col_first_date": ("Pertama", "First"),
        "col_last_date": ("Terakhir", "Latest"),
        "col_events": ("Kegiatan", "Events"),
        "col_units_reached": ("Unit dengan kegiatan", "Units with events"),
        "col_whole_gov": ("Kegiatan seluruh pemda", "Government-wide event"),
        "sec_stages": ("Tujuh tahap penguatan budaya", "Seven stages of culture strengthening"),
        "sec_timeline": ("Linimasa program", "Programme timeline"),
        "sec_appendix": ("Lampiran", "Appendix"),
        "timeline_note": (
            "Setiap titik satu kegiatan, warna menurut tahap; daftar lengkap di lampiran dan di "
            "berkas XLSX.",
            "Each dot is one event, coloured by stage; the full list is in the appendix and the "
            "XLSX file.",
        ),
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
