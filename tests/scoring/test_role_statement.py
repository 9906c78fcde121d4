"""The Deming/Drucker test: listen for the customer in what people say their job is."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from cxculture.scoring.role_statement import CATEGORIES, classify, detect_language, lexicon

HERE = Path(__file__).parent
LABELLED_SETS = ("role_statements.yaml", "role_statements_holdout.yaml")
MINIMUM_MACRO_F1 = 0.85
BLIND_SET = "role_statements_blind.yaml"
# The held-out third of the blind set was never read while the rules were changed. Floors are the
# figures measured once at the end of the latest round of tuning (en 0.92, pt 0.78, es 0.87) less
# 0.03, so that a change that loses ground on answers the rules were not tuned to fails, without
# pretending to 0.90.
BLIND_HELDOUT_FLOOR = {"en": 0.88, "pt": 0.75, "es": 0.84}
BLIND_TUNE_FLOOR = 0.95
# A fourth set, Portuguese and Spanish only, written blind like the third; all of it is for tuning.
BLIND2_SET = "role_statements_blind2.yaml"
DIRECT, INDIRECT, INTERNAL, NO_LINE = CATEGORIES


def _scores(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    """Accuracy and macro-F1 of (expected, predicted) pairs over the four categories."""
    counts = Counter(pairs)
    f1s = []
    for category in CATEGORIES:
        tp = counts[(category, category)]
        fp = sum(counts[(other, category)] for other in CATEGORIES if other != category)
        fn = sum(counts[(category, other)] for other in CATEGORIES if other != category)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    accuracy = sum(counts[(c, c)] for c in CATEGORIES) / len(pairs)
    return accuracy, sum(f1s) / len(f1s)


def _labelled(name: str) -> dict[str, list[dict]]:
    path = HERE / name
    if not path.exists():
        pytest.skip(f"{name} is not there")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", LABELLED_SETS)
@pytest.mark.parametrize("lang", ["en", "pt", "es"])
def test_labelled_statements_reach_the_macro_f1_floor(name, lang, capsys):
    statements = _labelled(name)[lang]
    assert {item["category"] for item in statements} == set(CATEGORIES)
    pairs = [(item["category"], classify(item["text"], lang).category) for item in statements]
    accuracy, macro_f1 = _scores(pairs)
    with capsys.disabled():
        print(f"\n{name} [{lang}] n={len(pairs)} accuracy={accuracy:.2f} macro-F1={macro_f1:.2f}")
    assert macro_f1 >= MINIMUM_MACRO_F1


@pytest.mark.parametrize("name", LABELLED_SETS)
def test_the_language_is_detected_when_not_given(name):
    statements = _labelled(name)
    for lang, items in statements.items():
        wrong = [item["text"] for item in items if detect_language(item["text"]) != lang]
        assert len(wrong) <= len(items) * 0.05, wrong


def test_the_labelled_set_covers_each_language_and_category_forty_times():
    statements = _labelled("role_statements.yaml")
    for lang in ("en", "pt", "es"):
        assert len(statements[lang]) >= 40
        assert min(Counter(item["category"] for item in statements[lang]).values()) >= 8


@pytest.mark.parametrize(
    ("text", "lang", "category"),
    [
        ("I answer CUSTOMERS' questions on the phone.", "en", "customer_direct"),
        ("Atendo as usuárias do aplicativo pelo chat.", "pt", "customer_direct"),
        ("Atendo as usuarias do aplicativo pelo chat.", "pt", "customer_direct"),
        ("Recibo a los huéspedes en la recepción del hotel.", "es", "customer_direct"),
        ("I look after patients on the night shift.", "en", "customer_direct"),
        ("Ajudo os passageiros no embarque.", "pt", "customer_direct"),
        ("Atiendo a ciudadanos en la ventanilla del ayuntamiento.", "es", "customer_direct"),
    ],
)
def test_accents_case_plurals_and_trade_words_are_heard(text, lang, category):
    assert classify(text, lang).category == category


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("I never deal with customers; I reconcile the ledgers.", "en"),
        ("My job has nothing to do with clients.", "en"),
        ("Não tenho contato nenhum com clientes, só lanço notas.", "pt"),
        ("Nunca falo com os clientes.", "pt"),
        ("No trato con clientes, solo reviso contratos.", "es"),
        ("Jamás veo a un paciente; llevo el inventario.", "es"),
    ],
)
def test_a_customer_named_only_to_be_negated_is_no_line_of_sight(text, lang):
    result = classify(text, lang)
    assert result.category == "no_line_of_sight"
    assert "negated_customer" in {item.kind for item in result.evidence}


def test_negation_stops_at_the_end_of_its_clause():
    text = "I don't work in an office, I answer customers all day."
    assert classify(text, "en").category == "customer_direct"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("My internal customers are the sales managers.", "en"),
        ("Atendo os clientes internos da empresa com os relatórios.", "pt"),
        ("Doy soporte a mis clientes internos de contabilidad.", "es"),
    ],
)
def test_internal_customers_are_internal(text, lang):
    assert classify(text, lang).category == "internal_only"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("I keep the servers running so that our agents can help customers.", "en"),
        ("Mantenho os sistemas no ar para que os colegas atendam os clientes.", "pt"),
        ("Preparo los pedidos para que los clientes los reciban a tiempo.", "es"),
    ],
)
def test_customers_reached_through_others_are_indirect(text, lang):
    assert classify(text, lang).category == "customer_indirect"


@pytest.mark.parametrize(
    ("text", "lang", "category"),
    [
        ("I prepare the monthly reports for my manager.", "en", "internal_only"),
        ("Preparo os relatórios mensais para o meu gestor.", "pt", "internal_only"),
        ("I process invoices according to the procedure.", "en", "no_line_of_sight"),
        ("Cumplo mis tareas y mis objetivos.", "es", "no_line_of_sight"),
    ],
)
def test_without_a_customer_the_beneficiary_decides(text, lang, category):
    assert classify(text, lang).category == category


def test_evidence_points_at_the_words_in_the_original_text():
    text = "Eu atendo os Clientes da loja."
    result = classify(text)
    assert result.lang == "pt"
    mention = next(item for item in result.evidence if item.kind == "customer")
    assert text[mention.start : mention.end] == "Clientes" == mention.phrase


def test_a_company_can_add_its_own_trade_words(tmp_path):
    (tmp_path / "en.yaml").write_text("customer:\n  - rider\n", encoding="utf-8")
    text = "I help riders find their bus."
    assert classify(text, "en").category != "customer_direct"
    assert classify(text, "en", extra_dir=tmp_path).category == "customer_direct"
    lexicon.cache_clear()


def test_the_yes_no_words_of_yaml_stay_words():
    assert "no" in lexicon("es").words("negation")
    assert "no" in lexicon("en").words("negation")


def test_classify_role_command(app):
    result = app.test_cli_runner().invoke(
        args=["classify-role", "Ajudo os pacientes a marcar consultas."]
    )
    assert result.exit_code == 0
    assert "customer_direct" in result.output
    assert "pacientes" in result.output


def _blind(lang: str, split: str) -> list[dict]:
    return [item for item in _labelled(BLIND_SET)[lang] if item["split"] == split]


@pytest.mark.parametrize("lang", ["en", "pt", "es"])
def test_the_blind_set_holds_out_a_third_of_each_category(lang):
    statements = _labelled(BLIND_SET)[lang]
    assert len(statements) >= 60
    assert {item["split"] for item in statements} == {"tune", "heldout"}
    for category in CATEGORIES:
        of_category = [item for item in statements if item["category"] == category]
        held = [item for item in of_category if item["split"] == "heldout"]
        assert len(held) * 3 == len(of_category)


@pytest.mark.parametrize("lang", ["en", "pt", "es"])
def test_held_out_answers_keep_their_measured_macro_f1(lang, capsys):
    statements = _blind(lang, "heldout")
    pairs = [(item["category"], classify(item["text"], lang).category) for item in statements]
    accuracy, macro_f1 = _scores(pairs)
    with capsys.disabled():
        print(f"\n{BLIND_SET} heldout [{lang}] n={len(pairs)} macro-F1={macro_f1:.2f}")
    assert macro_f1 >= BLIND_HELDOUT_FLOOR[lang]


@pytest.mark.parametrize("lang", ["en", "pt", "es"])
def test_tuning_answers_of_the_blind_set_stay_right(lang):
    statements = _blind(lang, "tune")
    pairs = [(item["category"], classify(item["text"], lang).category) for item in statements]
    assert _scores(pairs)[1] >= BLIND_TUNE_FLOOR


@pytest.mark.parametrize(
    ("text", "lang", "category"),
    [
        ("No member walks out of my class without a plan for the week.", "en", DIRECT),
        ("I never let a caller go without a reference number.", "en", DIRECT),
        ("Nenhum hóspede sai do check-in sem saber o horário do pequeno-almoço.", "pt", DIRECT),
        ("Não deixo nenhum passageiro sem resposta no balcão.", "pt", DIRECT),
        ("Ningún socio se va del gimnasio sin su rutina.", "es", DIRECT),
        ("No dejo a ningún abonado sin respuesta cuando llama.", "es", DIRECT),
        ("Ningún cliente se va sin mi ayuda.", "es", DIRECT),
        ("I keep the stockroom full so that no shopper goes without their size.", "en", INDIRECT),
        ("Organizo o armazém para que nenhum cliente fique sem encomenda.", "pt", INDIRECT),
        ("Organizo el almacén para que a ningún cliente le falte su pedido.", "es", INDIRECT),
    ],
)
def test_a_double_negation_names_the_people_served(text, lang, category):
    assert classify(text, lang).category == category


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("I work without any contact with customers.", "en"),
        ("Sem contacto com clientes, sem stress: só faço a contabilidade.", "pt"),
        ("No veo a ningún cliente, solo cuadro cuentas.", "es"),
    ],
)
def test_two_denials_are_not_a_double_negation(text, lang):
    assert classify(text, lang).category == "no_line_of_sight"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Dealing with clients isn't my thing, I just do the accounts.", "en"),
        ("Patients aren't my concern, I just look after the boilers.", "en"),
        ("Subscribers are handled by the call centre, I file the paperwork.", "en"),
        ("Talking to guests is reception's job, I count the stock.", "en"),
        ("Atendimento ao cliente não é comigo, eu só mexo com planilhas.", "pt"),
        ("Os utentes não são da minha conta, eu trato do arquivo.", "pt"),
        ("Dos clientes quem cuida é a equipa comercial, eu faço as contas.", "pt"),
        ("Atender al público no es lo mío, yo solo archivo.", "es"),
        ("Los pasajeros no tienen nada que ver conmigo, yo reviso los motores.", "es"),
        ("De los clientes se encarga el equipo comercial; yo cuadro las cuentas.", "es"),
    ],
)
def test_a_customer_waved_off_is_no_line_of_sight(text, lang):
    result = classify(text, lang)
    assert result.category == "no_line_of_sight"
    assert "negated_customer" in {item.kind for item in result.evidence}


@pytest.mark.parametrize(
    ("text", "lang", "category"),
    [
        ("I show tenants around the flats and hand them their keys.", "en", DIRECT),
        ("I look after the residents of the care home.", "en", DIRECT),
        ("I welcome travellers at the hostel desk.", "en", DIRECT),
        ("Waiter: I take the diners' orders.", "en", DIRECT),
        ("Atendo os condóminos quando há avarias no prédio.", "pt", DIRECT),
        ("Recebo os sócios do clube na entrada.", "pt", DIRECT),
        ("Ligo para os assinantes que pediram portabilidade.", "pt", DIRECT),
        ("Atiendo a los inquilinos cuando tienen una avería.", "es", DIRECT),
        ("Doy la bienvenida a los huéspedes y a los comensales del restaurante.", "es", DIRECT),
        ("Cuido a los residentes de la residencia de mayores.", "es", DIRECT),
        ("I maintain the lifts so residents never get stuck.", "en", INDIRECT),
        (
            "Faço a manutenção dos elevadores para que os moradores não fiquem presos.",
            "pt",
            INDIRECT,
        ),
        (
            "Mantengo los servidores para que los suscriptores vean sus series sin cortes.",
            "es",
            INDIRECT,
        ),
    ],
)
def test_people_served_under_a_trade_word_are_customers(text, lang, category):
    assert classify(text, lang).category == category


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The diners never see me, but every plate goes through my hands.", "en"),
        ("Os clientes não me veem, mas é para eles que faço o pão.", "pt"),
        ("Los viajeros no me ven, pero reviso cada tren antes de que salga.", "es"),
    ],
)
def test_customers_who_never_meet_the_person_are_reached_indirectly(text, lang):
    assert classify(text, lang).category == "customer_indirect"


@pytest.mark.parametrize(
    ("text", "lang", "category"),
    [
        ("I check expense reports against the rules.", "en", NO_LINE),
        ("I make sure purchase orders follow the approval policy.", "en", NO_LINE),
        ("Verifico se os pagamentos cumprem as normas do banco central.", "pt", NO_LINE),
        ("Confirmo que los contratos cumplan la normativa vigente.", "es", NO_LINE),
        (
            "I check expense claims against the rules and answer colleagues' questions.",
            "en",
            INTERNAL,
        ),
        ("Confiro as despesas conforme a política e tiro as dúvidas dos colegas.", "pt", INTERNAL),
        (
            "Reviso los gastos según la política y resuelvo las dudas de los compañeros.",
            "es",
            INTERNAL,
        ),
    ],
)
def test_rule_keeping_names_a_beneficiary_only_when_there_is_one(text, lang, category):
    assert classify(text, lang).category == category


@pytest.mark.parametrize(
    ("text", "lang", "category"),
    [
        ("I run the payroll for the whole workforce.", "en", INTERNAL),
        ("I'm assistant to the managing director.", "en", INTERNAL),
        ("Preparo as apresentações que a diretoria pede.", "pt", INTERNAL),
        ("Preparo las presentaciones que pide la dirección.", "es", INTERNAL),
        ("Employees come to me with their payroll questions.", "en", INTERNAL),
        ("Funcionários das lojas me ligam com dúvidas sobre o ponto.", "pt", INTERNAL),
        ("Cashier, I scan the shoppers' items and take payment.", "en", DIRECT),
        ("Camarera de piso, limpio las habitaciones y atiendo a los huéspedes.", "es", DIRECT),
        ("Atendo os hóspedes e com a equipa resolvo os problemas.", "pt", DIRECT),
        ("I serve customers and also help my colleagues.", "en", DIRECT),
    ],
)
def test_colleagues_and_own_job_titles_are_told_apart(text, lang, category):
    assert classify(text, lang).category == category


@pytest.mark.parametrize("lang", ["pt", "es"])
def test_the_fourth_set_has_fifteen_tuning_answers_per_category(lang):
    statements = _labelled(BLIND2_SET)[lang]
    assert {item["split"] for item in statements} == {"tune"}
    assert Counter(item["category"] for item in statements) == dict.fromkeys(CATEGORIES, 15)


@pytest.mark.parametrize("lang", ["pt", "es"])
def test_tuning_answers_of_the_fourth_set_stay_right(lang, capsys):
    statements = _labelled(BLIND2_SET)[lang]
    pairs = [(item["category"], classify(item["text"], lang).category) for item in statements]
    accuracy, macro_f1 = _scores(pairs)
    with capsys.disabled():
        print(
            f"\n{BLIND2_SET} [{lang}] n={len(pairs)} "
            f"accuracy={accuracy:.2f} macro-F1={macro_f1:.2f}"
        )
    assert macro_f1 >= BLIND_TUNE_FLOOR


@pytest.mark.parametrize(
    ("text", "lang", "category"),
    [
        # "Not that I don't": two negations that cancel.
        ("Não é que eu não atenda clientes, atendo todos os dias.", "pt", DIRECT),
        ("No es que no vea clientes: los veo cada mañana.", "es", DIRECT),
        # "Nobody ... without": people served with no customer word.
        ("Ninguém sai do meu balcão sem resposta.", "pt", DIRECT),
        ("Nadie cuelga sin su número de incidencia.", "es", DIRECT),
        # A denial that is the outcome the work is for.
        ("Ajusto os horários para que nenhum aluno espere pelo autocarro.", "pt", INDIRECT),
        # The customer uses what the person makes.
        ("Mantenho o portal que os utentes usam para marcar consultas.", "pt", INDIRECT),
        ("Desarrollo la app que usan los viajeros para comprar billetes.", "es", INDIRECT),
        ("Mantengo la web donde los socios pagan la cuota.", "es", INDIRECT),
        ("Garanto que cada cliente recebe a sua encomenda em mão.", "pt", DIRECT),
        # Portuguese personal infinitive after "para".
        ("Arrumo a loja para os clientes encontrarem tudo.", "pt", INDIRECT),
        ("Ligo para os clientes que pediram orçamento.", "pt", DIRECT),
        # Customers arrive after the work is done, or depend on it.
        ("Arrumo as salas antes que cheguem os alunos.", "pt", INDIRECT),
        ("Preparo las mesas antes de que lleguen los comensales.", "es", INDIRECT),
        ("Nunca veo a los pacientes, pero dependen de mi trabajo.", "es", INDIRECT),
        # Handed to a colleague in a sentence that opens with "who".
        ("Quem fala com os clientes é a equipa da loja; eu faço as contas.", "pt", NO_LINE),
        ("A los huéspedes los atiende recepción; yo plancho.", "es", NO_LINE),
        # Things named like people, and the organisation as the owner of the rules.
        ("Reponho o dinheiro dos caixas eletrónicos.", "pt", NO_LINE),
        ("Recargo los cajeros automáticos de la zona.", "es", NO_LINE),
        ("Confirmo que los gastos cumplen la política de la empresa.", "es", NO_LINE),
        # Colleagues who call, and colleagues named as the people the work is about.
        ("Arreglo las impresoras cuando los administrativos me llaman.", "es", INTERNAL),
        ("Tiro as dúvidas das outras áreas sobre impostos.", "pt", INTERNAL),
        ("Gestiono las altas del personal nuevo.", "es", INTERNAL),
    ],
)
def test_portuguese_and_spanish_phrasings_of_the_fourth_set(text, lang, category):
    assert classify(text, lang).category == category
