"""The keyword library's CSV: given a file, then the phrases kept and each bad row's reason;
an export carries a school's exclusions with who, when and why, and reads back in."""

from __future__ import annotations

from datetime import UTC, datetime

from services.capture.domain.events import Category, Phrase
from services.capture.domain.library_csv import RowProblem, SchoolChange, read, write

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
HURT = Phrase(phrase="hurt myself", category=Category.SELF_HARM, severity=5)
BET = Phrase(phrase="place a bet", category=Category.GAMBLING, severity=2)


class TestRead:
    def test_good_rows_are_kept_and_bad_ones_say_why(self) -> None:
        text = ("\ufeffPhrase,Category,Severity,Notes\n"
                "  Hurt   Myself ,self_harm,5,kept normalised\n"
                "free spins,gambling,high,\n"
                "knife,weaponry,4,\n"
                "x,drugs,2,\n"
                "cut myself,self_harm,7,\n"
                "HURT MYSELF,self_harm,4,\n"
                ",,,\n"
                "place a bet,gambling,2,\n"
                "a,b,c,d,e\n")
        phrases, problems = read(text)
        assert phrases == [HURT, BET]
        assert [(p.row, p.field) for p in problems] == [
            (3, "severity"), (4, "category"), (5, "phrase"), (6, "severity"), (7, "phrase"),
            (8, None), (10, None)]
        assert "line 2" in problems[4].reason  # the duplicate names the row it repeats
        assert problems[1].phrase == "knife" and "bullying" in problems[1].reason

    def test_a_header_without_the_columns_rejects_the_file(self) -> None:
        assert read("term,level\nknife,4\n") == ([], [RowProblem(
            1, None, "phrase", "the header needs the columns phrase, category, severity; "
                               "missing: phrase, category, severity")])

    def test_an_unreadable_header_rejects_the_file_with_a_reason(self) -> None:
        # Found by fuzzing: a lone carriage return in the header was an internal error.
        phrases, [problem] = read("phr\rase,category,severity\n")
        assert phrases == [] and problem.row == 1
        assert problem.reason.startswith("unreadable CSV header: "), problem

    def test_a_schools_own_phrase_in_an_export_is_not_imported_into_the_la_library(
            self) -> None:
        phrases, [problem] = read("phrase,category,severity,source\nplace a bet,gambling,2,la\n"
                                  "our slang,bullying,3,school\n")
        assert phrases == [BET] and (problem.row, problem.field) == (3, "source")


class TestWrite:
    def test_exclusions_carry_their_audited_reason_and_the_export_reads_back(self) -> None:
        ours = Phrase(phrase="our slang", category=Category.BULLYING, severity=3)
        changes = [SchoolChange(BET, "excluded", "taught in PSHE maths lessons", "a-dsl", AT),
                   SchoolChange(ours, "active", "local slang for a pupil", "a-dsl", AT)]
        text = write([HURT, BET], changes)
        assert text.splitlines() == [
            "phrase,category,severity,source,status,reason,by,at",
            "place a bet,gambling,2,la,excluded,taught in PSHE maths lessons,a-dsl,"
            "2026-11-02T09:30:00+00:00",
            "hurt myself,self_harm,5,la,active,,,",
            "our slang,bullying,3,school,active,local slang for a pupil,a-dsl,"
            "2026-11-02T09:30:00+00:00"]
        phrases, problems = read(text)
        assert sorted(p.phrase for p in phrases) == ["hurt myself", "place a bet"]
        assert [p.field for p in problems] == ["source"]
