"""Korean for every command, option and choice description, through discord.py's translator.

Names stay English (members type them); descriptions and choice labels show in the reader's
Discord language.
"""

from __future__ import annotations

from discord import Locale, app_commands

KOREAN: dict[str, str] = {
    "Summary of one post, one theme, or the recent period.": "글 하나, 테마 하나, 또는 최근 기간의 요약.",
    "One post to summarise": "요약할 글",
    "Summarise the posts about this theme": "이 테마에 관한 글을 요약",
    "How many days back to look (default 7)": "며칠 전까지 볼지 (기본 7일)",
    "A notable quote with its speaker, source and link.": "화자·출처·링크가 달린 주목할 인용문.",
    "Only quotes from posts about this theme": "이 테마에 관한 글의 인용문만",
    "Only quotes by this person": "이 사람이 한 인용문만",
    "Words the quote contains": "인용문에 들어 있는 단어",
    "Trending themes with counts and change, chart attached.": "떠오르는 테마와 건수·변화 (차트 첨부).",
    "Track record: resolved forecasts, share correct and Brier score.": "적중 기록: 판정된 예측 수, 적중률, 브라이어 점수.",
    "Group the track record by source, author or speaker": "출처, 작성자 또는 화자별로 묶기",
    "source": "출처",
    "author": "작성자",
    "speaker": "화자",
    "This server's forecasts as CSV and JSON files.": "이 서버의 예측을 CSV와 JSON 파일로 내보내기.",
    "Dated forecasts from the posts you follow": "구독하는 글에서 찾은 기한 있는 예측",
    "Forecasts of this server, soonest due first.": "이 서버의 예측 목록 (기한 임박 순).",
    "Which: all, open, due (awaiting a verdict), resolved, needs-date, undated (views)": "어떤 예측: 전체, 진행 중, 판정 대기, 판정 완료, 글 날짜 필요, 기한 없음(의견)",
    "open": "진행 중",
    "due": "판정 대기",
    "resolved": "판정 완료",
    "undated": "기한 없음",
    "needs-date": "글 날짜 필요",
    "all": "전체",
    "Only forecasts from posts about this theme": "이 테마에 관한 글의 예측만",
    "Only forecasts from this source or author": "이 출처나 작성자의 예측만",
    "One forecast with its votes and history.": "예측 하나와 투표·이력.",
    "The forecast's number": "예측 번호",
    "Record a forecast by hand.": "예측을 직접 기록.",
    "What is forecast": "무엇을 예측하는지",
    "When it can be judged: a date, 2026-12-31, 2027 Q2, 내년 상반기…": "판정할 수 있는 시점: 날짜, 2026-12-31, 2027 Q2, 내년 상반기…",
    "How likely, e.g. 70%": "확률, 예: 70%",
    "A link to where it was said": "예측이 나온 곳의 링크",
    "Judge a forecast: final for moderators, a vote for everyone else.": "예측 판정: 관리자는 최종 판정, 다른 멤버는 투표.",
    "Did it come true?": "실현되었나요?",
    "came true": "실현됨",
    "didn't happen": "빗나감",
    "partly": "일부 실현",
    "can't tell": "판단 불가",
    "withdrawn": "철회됨",
    "A link that shows the outcome": "결과를 보여 주는 링크",
    "A short note on the verdict": "판정에 대한 짧은 메모",
    "Take back the last verdict on a forecast (moderators).": "예측의 마지막 판정 되돌리기 (관리자).",
    "Move a forecast's due date (moderators), or date an undated view to track it.": "예측의 기한 변경 (관리자), 또는 기한 없는 의견에 기한을 붙여 추적.",
    "The new due date": "새 기한",
    "Reminders about forecasts": "예측 알림",
    "Be reminded of a forecast when it comes due, or at a time you choose.": "예측 기한이 되었을 때, 또는 원하는 때에 알림 받기.",
    "When to remind you: in 3 months, 2026-06-01… (default: when it comes due)": "알림 시점: 3개월 후, 2026-06-01… (기본: 기한이 되었을 때)",
    "Your pending reminders.": "예정된 내 알림.",
    "Cancel one of your reminders.": "내 알림 취소.",
    "The reminder's number (from /remind list)": "알림 번호 (/remind list 참고)",
    "Or: stop the ping when this forecast comes due": "또는: 이 예측의 기한 알림 끄기",
    "Digests of the posts this server follows": "이 서버가 구독하는 글의 다이제스트",
    "A digest of the last days, right now.": "최근 며칠의 다이제스트를 지금 보기.",
    "How many days the digest covers (default 7)": "다이제스트가 다룰 기간 (기본 7일)",
    "Post a digest to a channel on a schedule (Manage Server).": "정해진 일정에 채널로 다이제스트 게시 (서버 관리).",
    "Where to post the digest": "다이제스트를 올릴 채널",
    "Which day (or daily)": "요일 (또는 매일)",
    "mon": "월",
    "tue": "화",
    "wed": "수",
    "thu": "목",
    "fri": "금",
    "sat": "토",
    "sun": "일",
    "daily": "매일",
    "Local time, HH:MM (default 09:00)": "현지 시각, HH:MM (기본 09:00)",
    "IANA timezone such as Asia/Seoul (default: the server's)": "Asia/Seoul 같은 IANA 시간대 (기본: 서버 설정)",
    "When the next digest comes, and why it is paused if it is.": "다음 다이제스트 시각과, 멈춰 있다면 그 이유.",
    "Stop scheduled digests (Manage Server).": "예약된 다이제스트 중지 (서버 관리).",
    "RSS and Atom feeds this server follows": "이 서버가 구독하는 RSS·Atom 피드",
    "Follow a feed; new entries are stored and can be announced (Manage Server).": "피드 구독: 새 글을 저장하고 알릴 수 있습니다 (서버 관리).",
    "The feed's address": "피드 주소",
    "Announce new entries in this channel (optional)": "새 글을 알릴 채널 (선택)",
    "Feeds this server follows, with their state.": "이 서버가 구독하는 피드와 상태.",
    "Stop following a feed (Manage Server).": "피드 구독 해지 (서버 관리).",
    "The feed's number (from /feed list)": "피드 번호 (/feed list 참고)",
    "Add a post for Hindsight to read": "Hindsight가 읽을 글 추가",
    "Store a post (or a feed's entries) from a link (Manage Messages).": "링크의 글(또는 피드의 글들) 저장 (메시지 관리).",
    "A link to an article, a blog post or a feed": "기사, 블로그 글 또는 피드 링크",
    "Store pasted text as a post (Manage Messages).": "붙여 넣은 텍스트를 글로 저장 (메시지 관리).",
    "The post's text": "글 본문",
    "A title for it": "제목",
    "Store an attached text, Markdown or HTML file (Manage Messages).": "첨부한 텍스트·마크다운·HTML 파일 저장 (메시지 관리).",
    "A .txt, .md or .html file": ".txt, .md 또는 .html 파일",
    "Set a post's date; its forecasts are re-dated and their reminders move (Manage Messages).": "글의 작성일 지정: 예측 기한을 다시 계산하고 알림도 옮깁니다 (메시지 관리).",
    "The post whose date to set": "작성일을 지정할 글",
    "When it was written, YYYY-MM-DD": "글을 쓴 날짜, YYYY-MM-DD",
    "Hindsight's settings for this server": "이 서버의 Hindsight 설정",
    "The server's timezone for digests and due dates (Manage Server).": "다이제스트와 기한에 쓰는 서버 시간대 (서버 관리).",
    "IANA timezone such as Asia/Seoul or America/New_York": "Asia/Seoul, America/New_York 같은 IANA 시간대",
    "Where due-date reminders are posted (Manage Server).": "기한 알림을 올릴 채널 (서버 관리).",
    "Where due-date reminders are posted": "기한 알림을 올릴 채널",
    "A role pinged with every reminder (Manage Server).": "알림마다 멘션할 역할 (서버 관리).",
    "A role pinged with every reminder (leave empty for none)": "알림마다 멘션할 역할 (비우면 없음)",
    "The server's language for digests (Manage Server).": "다이제스트 언어 (서버 관리).",
    "Language of digests and reminders": "다이제스트와 알림의 언어",
    "en": "영어",
    "ko": "한국어",
}


class HindsightTranslator(app_commands.Translator):
    """English source strings → Korean; other locales fall back to English."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: Locale,
        context: app_commands.TranslationContext,
    ) -> str | None:
        """The Korean text for a description or choice label, or None."""
        if locale is not Locale.korean:
            return None
        if context.location in (
            app_commands.TranslationContextLocation.command_name,
            app_commands.TranslationContextLocation.group_name,
            app_commands.TranslationContextLocation.parameter_name,
        ):
            return None
        return KOREAN.get(string.message)
