"""Interface wording in English and Chinese; the language switch relabels every registered component."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "title": {"en": "# visitcoach\nCompliance assistant for field visits", "zh": "# visitcoach\n外访合规助手"},
    "lang": {"en": "Language / 语言", "zh": "语言 / Language"},
    "whoami": {"en": "Signed in as **{user}** ({role})", "zh": "当前用户 **{user}**（{role}）"},
    # tabs
    "tab.ask": {"en": "Ask", "zh": "问答"},
    "tab.prepare": {"en": "Prepare", "zh": "上门准备"},
    "tab.plan": {"en": "Plan", "zh": "还款方案"},
    "tab.check": {"en": "Check", "zh": "合规检查"},
    "tab.knowledge": {"en": "Knowledge", "zh": "知识库"},
    "tab.settings": {"en": "Settings", "zh": "设置"},
    # ask
    "ask.chat": {"en": "Conversation", "zh": "对话"},
    "ask.question": {"en": "Question", "zh": "问题"},
    "ask.placeholder": {"en": "e.g. When may I visit a borrower in the US?", "zh": "例如：中国外访需要几个人？"},
    "ask.jurisdiction": {"en": "Jurisdiction", "zh": "法域"},
    "ask.send": {"en": "Ask", "zh": "提问"},
    "ask.clear": {"en": "New conversation", "zh": "新对话"},
    "ask.sources": {"en": "Sources", "zh": "依据"},
    # prepare
    "prep.case": {"en": "Case", "zh": "案件"},
    "prep.at": {"en": "Plan from (local time at the address, YYYY-MM-DDTHH:MM; empty = now)", "zh": "计划起点（地址所在地当地时间，YYYY-MM-DDTHH:MM；留空为现在）"},
    "prep.go": {"en": "Prepare the brief", "zh": "生成上门简报"},
    "prep.brief": {"en": "Brief", "zh": "简报"},
    "prep.download_md": {"en": "Download Markdown", "zh": "下载 Markdown"},
    "prep.download_pdf": {"en": "Download PDF", "zh": "下载 PDF"},
    "prep.output_lang": {"en": "Brief language", "zh": "简报语言"},
    # plan
    "plan.source": {"en": "Case (or leave empty and fill in the amounts)", "zh": "案件（或留空并填写金额）"},
    "plan.balance": {"en": "Balance", "zh": "余额"},
    "plan.arrears": {"en": "Arrears", "zh": "逾期金额"},
    "plan.instalment": {"en": "Contractual instalment", "zh": "合同月供"},
    "plan.term": {"en": "Remaining term (months)", "zh": "剩余期数（月）"},
    "plan.rate": {"en": "Annual interest rate (e.g. 0.18)", "zh": "年利率（如 0.18）"},
    "plan.income": {"en": "Monthly income", "zh": "月收入"},
    "plan.expenses": {"en": "Essential expenses", "zh": "必要支出"},
    "plan.other": {"en": "Other debt payments", "zh": "其他债务月供"},
    "plan.product": {"en": "Product", "zh": "产品"},
    "plan.jurisdiction": {"en": "Jurisdiction", "zh": "法域"},
    "plan.role": {"en": "Your role", "zh": "您的角色"},
    "plan.style": {"en": "Draft style", "zh": "草稿形式"},
    "plan.go": {"en": "Compute options", "zh": "计算方案"},
    "plan.summary": {"en": "Assessment", "zh": "评估"},
    "plan.options": {"en": "Options", "zh": "方案"},
    "plan.schedule": {"en": "Schedule of the selected option", "zh": "所选方案的还款计划"},
    "plan.pick": {"en": "Option", "zh": "方案"},
    "plan.chart": {"en": "Balance over time", "zh": "余额变化"},
    "plan.draft": {"en": "Proposal draft", "zh": "方案建议草稿"},
    "plan.download": {"en": "Download draft", "zh": "下载草稿"},
    # check
    "check.script": {"en": "Script", "zh": "话术"},
    "check.upload": {"en": "…or upload a script (.txt / .md)", "zh": "……或上传话术文件（.txt / .md）"},
    "check.jurisdiction": {"en": "Jurisdiction", "zh": "法域"},
    "check.time": {"en": "Visit time (local, YYYY-MM-DDTHH:MM)", "zh": "上门时间（当地，YYYY-MM-DDTHH:MM）"},
    "check.location": {"en": "Place", "zh": "地点"},
    "check.collectors": {"en": "Collectors", "zh": "上门人数"},
    "check.audience": {"en": "Talking to", "zh": "谈话对象"},
    "check.opening": {"en": "Opening of a first contact", "zh": "首次接触的开场"},
    "check.flags": {"en": "Flags", "zh": "标记"},
    "check.go": {"en": "Check", "zh": "检查"},
    "check.result": {"en": "Findings in place (hover a highlight)", "zh": "原文标注（悬停查看）"},
    "check.table": {"en": "Findings", "zh": "问题列表"},
    "check.batch": {"en": "Batch: upload .jsonl or .csv (id, text, context)", "zh": "批量：上传 .jsonl 或 .csv（id、text、context）"},
    "check.batch_go": {"en": "Check the batch", "zh": "批量检查"},
    "check.batch_table": {"en": "Batch results", "zh": "批量结果"},
    "check.batch_report": {"en": "Reports", "zh": "报告"},
    # knowledge
    "kn.search": {"en": "Search the knowledge base", "zh": "搜索知识库"},
    "kn.search_go": {"en": "Search", "zh": "搜索"},
    "kn.docs": {"en": "Documents", "zh": "文档"},
    "kn.results": {"en": "Results", "zh": "结果"},
    "kn.reingest": {"en": "Re-ingest knowledge/", "zh": "重新索引 knowledge/"},
    "kn.upload": {"en": "Add a policy document (PDF, DOCX, MD)", "zh": "添加政策文件（PDF、DOCX、MD）"},
    "kn.upload_title": {"en": "Title", "zh": "标题"},
    "kn.upload_jurisdiction": {"en": "Applies to", "zh": "适用法域"},
    "kn.upload_lang": {"en": "Language", "zh": "语言"},
    "kn.upload_go": {"en": "Add and index", "zh": "添加并索引"},
    "kn.status": {"en": "Status", "zh": "状态"},
    # settings
    "set.info": {"en": "Current configuration", "zh": "当前配置"},
    "set.test": {"en": "Test the model connection", "zh": "测试模型连接"},
    "set.result": {"en": "Result", "zh": "结果"},
}


def t(key: str, lang: str) -> str:
    entry = STRINGS[key]
    return entry.get(lang) or entry["en"]
