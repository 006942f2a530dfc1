"""The demo catalogue: the items of the Shanghai 全市通办 research (shared/reference/acceptance.md §1) with their
departments, modes and typical materials. Limits marked [verify] in the reference are typical values to be
confirmed against the current 办事指南; an office loads its own list through the Excel import.

Material tuples: (name, key, original_required). key=False marks a material that may be missing under 容缺受理.
A material named in `MATERIAL_CONDITIONS` is a 情形材料: needed only when the applicant is in that situation.
"""

ID = ("居民身份证", True, True)
HUKOU = ("户口簿", True, True)
PHOTO = ("近期一寸免冠照片", False, False)
SSCARD = ("社会保障卡", True, True)
BANK = ("本人实名银行卡（借记卡）", False, True)
DISABILITY = ("残疾人证", True, True)

CATEGORIES = [
    # letter, name, description, default minutes
    ("A", "社保医保", "人社、医保、公积金、工会互助保障", 9),
    ("B", "民政救助", "民政、救助、残联、卫健计生、退役军人", 14),
    ("C", "证件户籍", "居住证、户籍证明（派出所）", 8),
    ("D", "民生档案", "民生档案查询出证", 12),
    ("E", "住房保障", "租赁备案、保障性住房", 15),
    ("F", "综合咨询", "政策咨询、代办帮办、绿色通道", 6),
]

# code, name, dept, category, queue letter, mode, limit, legal, tongban, separated, agent_allowed, fee, online,
# materials
ITEMS = [
    ("GA-JZZ-01", "上海市居住证申领", "PCS", "居住证", "C", "promise", 15, 15, True, False, True, 0, True,
     [ID, ("《上海市居住证申请表》", True, False), ("合法稳定居所证明（产证、租赁备案证明或集体宿舍证明）", True, True),
      ("投靠亲属居住的亲属关系证明", False, True)]),
    ("GA-JZZ-02", "居住证签注", "PCS", "居住证", "C", "instant", 0, None, True, False, True, 0, True,
     [("上海市居住证", True, True), ID]),
    ("GA-JZZ-03", "居住证挂失、补领", "PCS", "居住证", "C", "promise", 15, 15, True, False, False, 0, False,
     [ID, ("挂失声明", False, False)]),
    ("GA-JZZ-04", "来沪人员居住登记", "PCS", "居住证", "C", "instant", 0, None, True, False, True, 0, True,
     [ID, ("居住地址证明（租赁合同或产证）", True, True)]),
    ("GA-HJ-01", "户籍人户分离人员居住登记", "PCS", "户籍", "C", "instant", 0, None, True, False, True, 0, False,
     [ID, HUKOU, ("居住地址证明", True, True)]),
    ("GA-ZM-01", "户籍证明开具", "PCS", "证明", "C", "instant", 0, None, True, False, True, 0, True, [ID]),
    ("GA-ZM-02", "有无违法犯罪记录证明", "PCS", "证明", "C", "promise", 3, 5, True, False, False, 0, True,
     [ID, ("用途说明（单位介绍信等）", False, False)]),
    ("MZ-LN-01", "敬老卡申领、发放", "MZ", "老年", "B", "promise", 30, 30, True, False, True, 0, False,
     [ID, ("代领人身份证件及授权委托书（代领时）", False, True)]),
    ("MZ-LN-02", "老年综合津贴申领", "MZ", "老年", "B", "promise", 30, 30, True, False, True, 0, False,
     [ID, ("本人工商银行或上海银行借记卡", True, True)]),
    ("MZ-JZ-01", "城乡居民最低生活保障申请", "MZ", "社会救助", "B", "promise", 30, 45, True, True, True, 0, False,
     [ID, HUKOU, ("家庭经济状况核对授权书", True, False), ("最低生活保障申请书", True, False),
      ("家庭成员收入证明", False, True), ("家庭成员残疾人证", True, True)]),
    ("MZ-JZ-02", "低收入困难家庭认定", "MZ", "社会救助", "B", "promise", 30, 45, True, True, True, 0, False,
     [ID, HUKOU, ("家庭经济状况核对授权书", True, False), ("家庭成员收入证明", False, True)]),
    ("MZ-JZ-03", "特困人员救助供养申请", "MZ", "社会救助", "B", "promise", 30, 45, True, True, True, 0, False,
     [ID, HUKOU, ("家庭经济状况核对授权书", True, False), ("丧失劳动能力证明", True, True)]),
    ("MZ-JZ-04", "临时救助申请", "MZ", "社会救助", "B", "promise", 10, 20, True, False, True, 0, False,
     [ID, ("困难情况证明（医疗票据、事故证明等）", True, True), ("家庭成员收入证明", False, True)]),
    ("MZ-JZ-05", "支出型贫困家庭生活救助", "MZ", "社会救助", "B", "promise", 30, 45, True, True, True, 0, False,
     [ID, HUKOU, ("家庭经济状况核对授权书", True, False), ("医疗费用票据", True, True), ("家庭成员收入证明", False, True)]),
    # 医疗救助 is run by the 医保 bureau since the 2018 institutional reform (the code keeps its first number).
    ("MZ-JZ-06", "医疗救助申请", "YB", "社会救助", "B", "promise", 20, 30, True, False, True, 0, False,
     [ID, ("医疗费用票据及明细", True, True), ("出院小结或诊断证明", False, True)]),
    ("YB-CH-01", "老年照护统一需求评估（长护险）申请", "YB", "老年", "A", "promise", 20, None, True, False, True, 0, True,
     [ID, SSCARD, ("《老年照护统一需求评估申请表》", True, False)]),
    ("MZ-LN-03", "居家养老服务补贴申请", "MZ", "老年", "B", "promise", 20, None, True, False, True, 0, False,
     [ID, ("老年照护统一需求评估结果通知书", True, True), ("家庭经济状况证明", False, True)]),
    ("RS-JY-01", "失业登记", "RS", "就业", "A", "instant", 0, None, True, False, False, 0, True,
     [ID, ("《就业失业登记证》或劳动手册", False, True)]),
    ("RS-JY-02", "灵活就业登记", "RS", "就业", "A", "instant", 0, None, True, False, False, 0, True, [ID]),
    ("RS-JY-03", "大龄失业人员就业岗位补贴申请", "RS", "就业", "A", "promise", 20, None, True, False, True, 0, False,
     [ID, ("劳动合同", True, True), ("单位申请表", False, False)]),
    ("RS-SB-01", "失业保险金申领", "RS", "社保", "A", "promise", 10, 15, True, False, False, 0, True,
     [ID, ("解除或终止劳动合同证明", True, True), BANK]),
    ("RS-SB-02", "养老金卡（折）调整", "RS", "社保", "A", "promise", 5, None, True, False, True, 0, False,
     [ID, ("新银行卡（折）", True, True)]),
    ("RS-SB-03", "城乡居民基本养老保险参保、缴费", "RS", "社保", "A", "instant", 0, None, True, False, True, 0, True,
     [ID, HUKOU]),
    ("RS-SB-04", "社会保障卡申领、补换", "RS", "社保", "A", "promise", 20, None, True, False, True, 0, True,
     [ID, PHOTO]),
    ("RS-SB-05", "社会保障卡挂失", "RS", "社保", "A", "instant", 0, None, True, False, True, 0, True, [ID]),
    ("RS-SB-06", "个人养老保险权益记录单、缴费凭证打印", "RS", "社保", "A", "instant", 0, None, True, False, True, 0, True,
     [ID]),
    ("RS-SB-07", "转往外省市缴费凭证开具", "RS", "社保", "A", "promise", 5, None, True, False, True, 0, False, [ID]),
    ("RS-JY-04", "劳动者个人基本信息查询及维护", "RS", "就业", "A", "instant", 0, None, True, False, False, 0, True, [ID]),
    ("RS-TX-01", "企业退休人员社会化管理档案关系接收", "RS", "社保", "A", "promise", 10, None, True, False, True, 0, False,
     [ID, ("退休证", True, True), ("档案转移通知", False, False)]),
    ("YB-CB-01", "居民医保参保登记", "YB", "医保", "A", "instant", 0, None, True, False, True, 0, True, [ID, HUKOU]),
    ("YB-JL-01", "门急诊就医记录册办理、更换", "YB", "医保", "A", "instant", 0, None, True, False, True, 0, False,
     [ID, SSCARD]),
    ("YB-DB-01", "门诊大病登记", "YB", "医保", "A", "instant", 0, None, True, False, True, 0, False,
     [ID, SSCARD, ("二级以上医院诊断证明", True, True)]),
    ("YB-BX-01", "医保零星报销", "YB", "医保", "A", "promise", 20, 30, True, False, True, 0, False,
     [SSCARD, ("医疗费用发票原件", True, True), ("门急诊病历或出院小结", True, True), ("费用明细清单", False, True)]),
    ("YB-YD-01", "跨省异地就医登记备案", "YB", "医保", "A", "instant", 0, None, True, False, True, 0, True,
     [("居民身份证原件", True, True)]),
    ("YB-JF-01", "医疗费用综合减负申请", "YB", "医保", "A", "promise", 20, None, True, False, True, 0, False,
     [SSCARD, ("医疗费用票据", True, True), ("家庭经济状况证明", False, True)]),
    ("YB-GS-01", "医疗卡挂失及撤销", "YB", "医保", "A", "instant", 0, None, True, False, True, 0, True, [ID]),
    ("YB-BK-01", "医疗帮困登记及补助", "YB", "医保", "A", "promise", 20, None, True, False, True, 0, False,
     [ID, SSCARD, ("医疗费用票据", True, True)]),
    ("GH-HZ-01", "《退休职工住院补充医疗互助保障计划》给付", "GH", "互助保障", "A", "promise", 15, None, True, False, True, 0,
     False, [SSCARD, ("出院小结", True, True), ("住院费用发票复印件", True, False)]),
    ("YB-SY-01", "生育保险待遇申领", "YB", "生育", "A", "promise", 15, None, True, False, True, 0, True,
     [("夫妻双方居民身份证", True, True), ("《生育医学证明》", True, True), ("新生儿户籍证明", True, True),
      ("婚姻状况证明", False, True), ("本人实名银行卡", False, True)]),
    ("WJ-JS-01", "生育登记", "WJ", "计生", "B", "instant", 0, None, True, False, True, 0, True,
     [("夫妻双方居民身份证", True, True), HUKOU, ("结婚证", True, True)]),
    ("WJ-JS-02", "独生子女父母光荣证申领、补领", "WJ", "计生", "B", "promise", 10, None, True, False, True, 0, False,
     [("夫妻双方居民身份证", True, True), HUKOU, ("子女出生医学证明", False, True)]),
    ("WJ-JS-03", "独生子女父母奖励、计划生育一次性奖励", "WJ", "计生", "B", "promise", 20, None, True, False, True, 0,
     False, [("独生子女父母光荣证", True, True), ID, ("退休证明", False, True)]),
    ("WJ-JS-04", "计划生育特别扶助申请", "WJ", "计生", "B", "promise", 30, None, True, False, True, 0, False,
     [ID, ("独生子女死亡或伤残证明", True, True), HUKOU]),
    ("CL-BT-01", "残疾人交通补贴申请", "CL", "残疾人", "B", "promise", 10, None, True, False, True, 0, False,
     [DISABILITY, ID]),
    ("CL-FW-01", "听力、言语残疾人信息卡套餐服务申请", "CL", "残疾人", "B", "promise", 10, None, True, False, True, 0,
     False, [DISABILITY]),
    ("CL-ZJ-01", "残疾人证新办、换领、补办", "CL", "残疾人", "B", "promise", 20, None, True, False, True, 0, False,
     [ID, ("近期二寸免冠照片", True, False), ("残疾评定结果", True, True)]),
    ("CL-BT-02", "重残无业人员生活补助申请", "CL", "残疾人", "B", "promise", 20, None, True, False, True, 0, False,
     [DISABILITY, ID, ("无业情况说明", False, False)]),
    ("CL-FJ-01", "残疾人辅助器具适配申请", "CL", "残疾人", "B", "promise", 20, None, True, False, True, 0, False,
     [DISABILITY, ("辅具适配评估单", False, False)]),
    ("MZ-CJ-01", "困难残疾人生活补贴、重度残疾人护理补贴", "MZ", "残疾人", "B", "promise", 20, None, True, False, True, 0,
     False, [DISABILITY, ID, ("低保或低收入证明", True, True)]),
    ("FG-ZL-01", "住房租赁合同网签备案", "FG", "住房", "E", "instant", 0, None, False, False, True, 0, True,
     [("租赁合同", True, True), ("出租人、承租人身份证件", True, True), ("房屋权属证明", True, True)]),
    ("FG-BZ-01", "廉租住房申请", "FG", "住房", "E", "promise", 30, None, False, False, True, 0, False,
     [HUKOU, ("家庭收入证明", True, True), ("住房情况证明", True, True), ("家庭经济状况核对授权书", True, False)]),
    ("FG-BZ-02", "共有产权保障住房申请", "FG", "住房", "E", "promise", 30, None, False, False, True, 0, False,
     [HUKOU, ("家庭收入证明", True, True), ("住房情况证明", True, True), ("婚姻状况证明", False, True)]),
    ("FG-BZ-03", "公共租赁住房申请", "FG", "住房", "E", "promise", 20, None, False, False, True, 0, True,
     [ID, ("上海市居住证", True, True), ("劳动合同", True, True), ("社保缴纳证明", False, False)]),
    ("TY-YD-01", "退役军人优待证申领", "TYJR", "优抚", "B", "promise", 20, None, True, False, True, 0, False,
     [ID, ("退出现役证明（退伍证）", True, True), PHOTO]),
    ("TY-FX-01", "优抚对象抚恤、补助申请", "TYJR", "优抚", "B", "promise", 20, None, True, False, True, 0, False,
     [ID, ("优抚证", True, True), BANK]),
    ("TY-YD-02", "义务兵家庭优待金申领", "TYJR", "优抚", "B", "promise", 15, None, True, False, True, 0, False,
     [("入伍通知书", True, True), HUKOU]),
    ("DA-MS-01", "民生档案查询出证", "DA", "档案", "D", "instant", 0, None, True, False, False, 0, False,
     [("档案记载当事人居民身份证原件", True, True)]),
    ("GH-HZ-02", "职工互助保障理赔", "GH", "互助保障", "A", "promise", 15, None, True, False, True, 0, False,
     [("会员证", True, True), ("医疗费用发票", True, True), ("出院小结", False, True)]),
    ("GJJ-CX-01", "住房公积金查询、打印", "GJJ", "公积金", "A", "instant", 0, None, True, False, False, 0, True, [ID]),
    ("LS-LJ-01", "粮籍管理（历史事项）", "SLZX", "其他", "F", "instant", 0, None, False, False, True, 0, False, [HUKOU]),
    ("RS-CX-01", "居住证积分查询", "RS", "查询", "A", "instant", 0, None, True, False, False, 0, True, [ID]),
    ("YB-CX-01", "年度累计医疗费用、就医明细查询", "YB", "查询", "A", "instant", 0, None, True, False, False, 0, True,
     [SSCARD]),
    ("RS-CX-02", "城乡居保养老金享受情况查询", "RS", "查询", "A", "instant", 0, None, True, False, False, 0, True, [ID]),
    ("ZX-ZX-01", "社区服务热线、政策咨询", "SLZX", "咨询", "F", "instant", 0, None, True, False, True, 0, False, []),
]

INACTIVE = {"LS-LJ-01"}

AGENT_NOTES = {
    "MZ-LN-01": "代领敬老卡须提供代理人身份证件及申请人签署的授权委托书",
    "MZ-JZ-01": "代办须提供授权委托书，核对授权书须由家庭成员本人签字",
}

# 情形材料: material → the situation (asked at intake) in which it is needed.
MATERIAL_CONDITIONS = {
    "投靠亲属居住的亲属关系证明": "投靠亲属居住",
    "代领人身份证件及授权委托书（代领时）": "委托他人代领",
    "家庭成员残疾人证": "家庭成员中有持证残疾人",
}
