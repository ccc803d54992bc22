"""The words that are never a concept's name, or not the whole of one: function words,
generic section and step names, words for a kind of thing ("mechanism", "架构"), and the
Chinese particles, verbs and question words a topic line is made of. Lists, not rules: the
rules that read them are in ``terms``."""

from __future__ import annotations

_COMMON = """a an the and or of to in on at by for from with without into onto over under as is
    are was were be been being it its this that these those which who whom whose what when where
    why how than then there here so such not no nor but if else also only just very more most
    less least much many few each every all any some both either neither one two three first
    second new old same other another our their his her your my we they he she you i me us them
    can could may might must shall should will would do does did done has have had having use
    used using uses make makes made get gets got like via per about above below between among
    across after before during while until since within out up down off again further once s t
    don way ways thing things lot lots part parts kind kinds example examples case cases number
    figure table section chapter page paper papers article post blog today day week time times
    well good better best great simple simply easy hard different similar large small big long
    short high low real really still even though although however therefore thus hence later
    earlier billion million thousand hundred note notes summary todo question questions misc
    reading intro introduction overview let lets let's here's there's see next previous"""


STOPWORDS = frozenset(_COMMON.split())


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


FUNCTION_WORDS = word_set(
    """
    a an the of for and or to in on with by from at as is are via
    """
)


INNER_FUNCTION = word_set(
    """
    for to in on at by from with into onto over as is are was were be via than using that
    which when where how what why your our their my this these those
    """
)


GENERIC_SECTIONS = word_set(
    """
    abstract introduction intro overview background summary conclusion conclusions
    references bibliography acknowledgements acknowledgments appendix contents installation
    install usage setup requirements prerequisites quickstart examples example exercises
    exercise assignment assignments challenge license citation citing faq notes todos todo
    results experiments discussion resources features contributing changelog news data demo
    tutorial lesson chapter part section step steps training evaluation testing development
    model models implementation code api documentation docs approach method methods
    motivation outline agenda recap review quiz homework solution solutions answer answers
    goals objectives takeaways comments share sources further reading related work future
    work limitations conclusion remarks name synopsis description options
    """
)


STEP_GERUNDS = word_set(  # the last word of a heading that names a step ("Data loading")
    """
    preprocessing loading downloading cleaning plotting saving exporting importing installing
    printing splitting visualizing visualising
    """
)


GENERIC_PHRASES = frozenset(
    [
        "getting started",
        "quick start",
        "further reading",
        "related work",
        "self study",
        "table of contents",
        "in this lesson",
        "future work",
        "key takeaways",
        "next steps",
        "read next",
        "see also",
        "external links",
        "what's next",
        "final thoughts",
        "main idea",
        "key idea",
        "basic idea",
        "core idea",
        "general idea",
        "big picture",
    ]
)


GENERIC_HEADS = word_set(
    """
    model models method methods algorithm architecture mechanism mechanisms layer layers
    network networks function loss design system framework approach technique optimizer
    module block
    """
)


FOLDED_HEADS = word_set(
    """
    mechanism architecture network layer block model modeling modelling optimizer algorithm loss
    """
)


LEADING_PREPOSITIONS = frozenset({"beyond", "towards", "toward", "into", "on", "about"})


LEADING_MODIFIERS = word_set(
    """
    well-known famous popular basic basics simple advanced modern classic classical standard
    vanilla fixed pre-trained pretrained understanding introducing pytorch tensorflow keras
    jax official unofficial minimal illustrated annotated
    """
)


TRAILING_GENERIC = word_set(
    """
    example examples tutorial tutorials overview basics introduction implementation
    explained demo guide benchmark cheatsheet notes primer walkthrough
    """
)


CJK_GENERIC = (
    "简介",
    "介绍",
    "入门",
    "基础",
    "概念",
    "基础概念",
    "原理",
    "实现",
    "架构",
    "模型",
    "方法",
    "算法",
    "机制",
    "网络",
    "总结",
    "小结",
    "结论",
    "参考",
    "参考资料",
    "参考文献",
    "附录",
    "目录",
    "安装",
    "使用",
    "练习",
    "作业",
    "挑战",
    "示例",
    "例子",
    "问题",
    "思考",
    "延伸阅读",
    "前言",
    "引言",
    "概述",
    "课前测验",
    "课后测验",
    "复习与自学",
    "本课内容",
    "本章内容",
    "本节内容",
    "本章目标",
    "本节目标",
    "学习目标",
    "课后练习",
    "课后习题",
    "课后小测",
    "习题",
    "本章小结",
    "本节小结",
    "完整代码",
    "文章结构",
    "做法",
    "的做法",
    "教程",
    "笔记",
    "代码",
    "数据",
    "训练",
    "评估",
    "优化",
    "模型架构",
    "模型结构",
    "预训练任务",
    "下游任务",
    "任务",
    "工具",
    "命令",
    "操作",
    "计算",
    "模式",
    "进入",
    "快速",
    "必备原料",
    "附加内容",
    "计算步骤",
    "操作步骤",
    "整体",
    "总体",
    "实验结果",
    "训练模型",
    "整体架构",
    "整体结构",
    "参数",
    "结构",
    "细节",
    "注意事项",
)


CJK_HEADS = ("机制", "架构", "网络", "模型", "层")


CJK_FUNCTION = set("的了是在和与或及把被将为对从给让着过")
CJK_FUNCTION |= set("吗呢吧啊呀哪怎么这那些每各该其此即就都也还又再很太")


CJK_VERBS = set("看学试做用补讲写读说想要会能去来到跑放吃买")


CJK_QUESTIONS = ("为什么", "怎么", "如何", "什么", "是否")


STEP_VERBS = word_set(
    "prepare try compile train define download create construct build load run evaluate "
    "install import add use visualize visualise plot save test configure get make write "
    "implement apply check inspect explore export initialize initialise instantiate setup "
    "split tokenize tokenise preprocess read show display print fit predict "
    "generate freeze unfreeze continue start begin summarize summarise learn understand"
)
